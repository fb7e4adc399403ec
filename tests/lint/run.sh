#!/usr/bin/env bash
# Lint stage of tests/run.sh: checks the deployment files and every shell script with
# existing tools, and proves each check can fail by running it on a broken fixture.
#   every tracked *.sh plus .ci/run, with shellcheck; the host agent's modules through its
#   entry point agent.sh (-x -a: in the context they run in), and the agent as built for hosts
#   cfn-lint (npm)    deploy/ipsec-mesh.yaml, against the current CloudFormation spec
#   dclint (npm)      docker-compose.yml against the Compose Specification schema and rules
#   dockerfile-utils  Dockerfile
# The IAM/KMS/S3 policy assertions are C# tests (tests/IpsecMesh.Deploy.Tests).
# Usage: tests/lint/run.sh
set -euo pipefail
lint_dir=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$lint_dir/../.." && pwd)
fixtures=$lint_dir/fixtures
bin=$lint_dir/node_modules/.bin

if [ ! -d "$lint_dir/node_modules" ]; then
  (cd "$lint_dir" && npm ci --no-audit --no-fund --loglevel=error)
fi
command -v shellcheck >/dev/null || { echo "lint: shellcheck is missing (tests/prerequisites.sh installs it)" >&2; exit 1; }

failed=()
passed=0
record() { # name, then the command; the command's output is shown only when it fails
  local name=$1 output; shift
  if output=$("$@" 2>&1); then
    echo "ok      $name"; passed=$((passed + 1))
  else
    echo "FAILED  $name"; printf '%s\n' "$output" | sed 's/^/        /'; failed+=("$name")
  fi
}
rejects() { # the command must fail: a linter that accepts a broken fixture checks nothing
  ! "$@" >/dev/null 2>&1
}

shell_scripts() {
  if git -C "$root" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    git -C "$root" ls-files '*.sh'
  else
    (cd "$root" && find . -name '*.sh' -not -path '*/node_modules/*' | sed 's|^\./||')
  fi
  [ -f "$root/.ci/run" ] && echo .ci/run
}
shellcheck_one() {
  # Sourced fragments carry no shebang (every script of this repo is bash) and are
  # checked on their own, so "not following a sourced file" (SC1091) is no finding.
  local file=$root/$1
  local options=(--exclude=SC1091)
  head -n 1 "$file" | grep -q '^#!' || options+=(--shell=bash)
  shellcheck "${options[@]}" "$file"
}
# The host agent (controller/HostAgent/Script): its modules are fragments of one script, checked
# as agent.sh sources them rather than each on its own (where another module's globals look unused).
agent_dir=controller/HostAgent/Script
agent_modules() { grep -v -e '^#' -e '^$' "$root/$agent_dir/agent.modules" | sed "s|^|$agent_dir/|"; }
shellcheck_agent_modules() { shellcheck -x -a "$root/$agent_dir/agent.sh"; }
shellcheck_built_agent() {
  local built rc=0
  built=$(mktemp)
  "$root/$agent_dir/build-agent.sh" "$built" && shellcheck --shell=bash "$built" || rc=$?
  rm -f "$built"
  return "$rc"
}
cfn_lint() { node -r "$lint_dir/current-spec.cjs" "$lint_dir/node_modules/cfn-lint/lib/index.js" validate "$1"; }
dockerfile_lint() { # dockerfile-utils exits 0 on warnings: any diagnostic counts
  local output
  output=$("$bin/dockerfile-utils" lint "$1" 2>&1) || { printf '%s\n' "$output"; return 1; }
  [ -z "$output" ] || { printf '%s\n' "$output"; return 1; }
}
localstack_pinned() { grep -Eq '^\s+image: localstack/localstack:4\.14\.0\s*$' "$1"; }

while IFS= read -r script; do
  record "shellcheck $script" shellcheck_one "$script"
done < <(shell_scripts | grep -vxF -f <(agent_modules))
record "shellcheck -x -a $agent_dir/agent.sh (its modules in context)" shellcheck_agent_modules
record "shellcheck the host agent as build-agent.sh builds it" shellcheck_built_agent

record "cfn-lint deploy/ipsec-mesh.yaml" cfn_lint "$root/deploy/ipsec-mesh.yaml"
record "cfn-lint rejects fixtures/broken-template.yaml" rejects cfn_lint "$fixtures/broken-template.yaml"
record "dclint docker-compose.yml" "$bin/dclint" --max-warnings 0 --color false "$root/docker-compose.yml"
record "docker-compose.yml pins localstack/localstack:4.14.0" localstack_pinned "$root/docker-compose.yml"
record "dclint rejects fixtures/broken-compose.yml" rejects "$bin/dclint" --color false "$fixtures/broken-compose.yml"
record "localstack pin check rejects fixtures/broken-compose.yml" rejects localstack_pinned "$fixtures/broken-compose.yml"
record "dockerfile-utils Dockerfile" dockerfile_lint "$root/Dockerfile"
record "dockerfile-utils rejects fixtures/broken.Dockerfile" rejects dockerfile_lint "$fixtures/broken.Dockerfile"
record "shellcheck rejects fixtures/broken-script.bash" rejects shellcheck "$fixtures/broken-script.bash"

echo "lint: ${passed} passed, ${#failed[@]} failed"
[ "${#failed[@]}" -eq 0 ]
