#!/usr/bin/env bash
# Builds the host agent as the controller embeds it, for those without dotnet: the modules of
# agent.modules, in that order, in one script. The IpsecMesh.HostAgent build does the same in
# MSBuild (AgentScript.targets); a test keeps the two outputs identical.
#   shebang, a generated-file header naming the modules, each module (CRLF read as LF, a final
#   newline added when missing) after a `# --- <path>` line, then the call of main.
# Usage: controller/HostAgent/Script/build-agent.sh OUT
set -euo pipefail
[ "$#" -eq 1 ] || { echo "usage: $0 OUT" >&2; exit 2; }
out=$1
dir=$(cd "$(dirname "$0")" && pwd)

modules=()
while IFS= read -r entry || [ -n "$entry" ]; do
  entry=${entry%$'\r'}
  case $entry in '' | '#'*) continue ;; esac
  [ -f "${dir}/${entry}" ] || { echo "build-agent.sh: agent.modules names ${entry}, which does not exist" >&2; exit 1; }
  modules+=("$entry")
done <"${dir}/agent.modules"

tmp=$(mktemp "${out}.XXXXXX")
trap 'rm -f "$tmp"' EXIT
{
  printf '#!/usr/bin/env bash\n'
  printf '# ipsec-mesh host agent, protocol 1 (docs/host-agent-protocol.md).\n'
  printf '# Generated from controller/HostAgent/Script/agent.modules: edit the modules, not this file.\n'
  for module in "${modules[@]}"; do printf '#   %s\n' "$module"; done
  for module in "${modules[@]}"; do
    printf '\n# --- %s\n' "$module"
    while IFS= read -r line || [ -n "$line" ]; do printf '%s\n' "${line%$'\r'}"; done <"${dir}/${module}"
  done
  printf '\nmain "$@"\n'
} >"$tmp"
mv -f "$tmp" "$out"
trap - EXIT
