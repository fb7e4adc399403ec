#!/usr/bin/env bash
# Builds the host agent as the controller embeds it and the stack's SSM document carries it, for
# those without dotnet: the modules of agent.modules, in that order, in one script. The
# IpsecMesh.HostAgent build does the same in MSBuild (IpsecMesh.HostAgent.csproj); a test keeps
# the two outputs identical.
#   shebang, a one-line header, then each module after a `# --- <path>` line, its lines without
#   leading indentation, comment-only and blank lines dropped (CRLF read as LF, a final newline
#   added when missing); a line after one ending in a backslash keeps one space of indentation and
#   is never dropped; lines between `# minify: off` and `# minify: on` are kept as they are. Then
#   the call of main. SSM limits a document to 64 KB: this is what keeps the agent under it.
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

# One module, minified as described above.
minify() {
  local line trimmed verbatim=false continued=false
  while IFS= read -r line || [ -n "$line" ]; do
    line=${line%$'\r'}
    trimmed=${line#"${line%%[![:blank:]]*}"}
    if [ "$verbatim" = true ]; then
      if [ "$trimmed" = '# minify: on' ]; then verbatim=false; else printf '%s\n' "$line"; fi
      continue
    fi
    if [ "$continued" = true ]; then
      [ "$trimmed" = "$line" ] || trimmed=" $trimmed"
    elif [ "$trimmed" = '# minify: off' ]; then
      verbatim=true
      continue
    elif [ -z "$trimmed" ] || [ "${trimmed:0:1}" = '#' ]; then
      continue
    fi
    printf '%s\n' "$trimmed"
    case $trimmed in *\\) continued=true ;; *) continued=false ;; esac
  done <"$1"
}

tmp=$(mktemp "${out}.XXXXXX")
trap 'rm -f "$tmp"' EXIT
{
  printf '#!/usr/bin/env bash\n'
  printf '# ipsec-mesh host agent, protocol 1 (docs/host-agent-protocol.md), built from controller/HostAgent/Script/agent.modules without comments and indentation.\n'
  for module in "${modules[@]}"; do
    printf '# --- %s\n' "$module"
    minify "${dir}/${module}"
  done
  printf 'main "$@"\n'
} >"$tmp"
mv -f "$tmp" "$out"
trap - EXIT
