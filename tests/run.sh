#!/usr/bin/env bash
# Runs every test of ipsec-mesh on a fresh Debian/Ubuntu machine that has the .NET 10 SDK.
# Installs its own prerequisites (apt, npm) when they are missing, then runs, in order:
#   1. the .NET suites (unit, simulator, integration, chaos, bad input; LocalStack skips without Docker)
#   2. the lint stage (shellcheck, CloudFormation and policy checks, compose and Dockerfile)
#   3. the conformance stage: `ipsec-mesh simulate --serve` driven by Debian's AWS CLI through every operation the
#      controller and the operator verbs use, and deploy/localstack/init-aws.sh run against it (tests/conformance/run.sh)
#   4. the end-to-end suite with real libreswan inside User-Mode Linux, driven by the real
#      controller (docs/e2e.md), on libreswan 4.10 and then 5.2 (E2E_GENERATIONS picks; the 5.2
#      guest's Debian 13 root is built and cached on the first run); --e2e-selftest runs only the
#      environment self-test instead (3 hosts, ESP only on the bridge, about a minute per generation)
# Usage: tests/run.sh [--no-e2e | --e2e-selftest]
set -euo pipefail
cd "$(dirname "$0")/.."

run_e2e=1
e2e_args=()
for arg in "$@"; do
  case "$arg" in
    --no-e2e) run_e2e=0 ;;
    --e2e-selftest) e2e_args=(--selftest) ;;
    --e2e-full) e2e_args=() ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "tests/run.sh: unknown argument '$arg'" >&2; exit 2 ;;
  esac
done

tests/prerequisites.sh

failed_stages=()
stage() {
  local name=$1; shift
  echo "=== $name"
  if "$@"; then echo "=== $name: ok"; else echo "=== $name: FAILED"; failed_stages+=("$name"); fi
}

results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT
dotnet_tests() {
  dotnet test --solution ipsec-mesh.slnx -c Release 2>&1 | tee "$results/dotnet.log"
  return "${PIPESTATUS[0]}"
}
stage "dotnet tests" dotnet_tests
[ -x tests/lint/run.sh ] && stage "lint" tests/lint/run.sh
conformance() {
  tests/conformance/run.sh 2>&1 | tee "$results/conformance.log"
  return "${PIPESTATUS[0]}"
}
stage "conformance (simulate --serve and the AWS CLI)" conformance
if [ "$run_e2e" = 1 ] && [ -x tests/e2e/run.sh ]; then stage "end-to-end (libreswan in UML${e2e_args[*]:+, ${e2e_args[*]}})" tests/e2e/run.sh "${e2e_args[@]}"; fi

# The failed .NET tests by name, with the first line of each one's message, so a truncated CI log still says which.
grep -E -A2 '^failed ' "$results/dotnet.log" 2>/dev/null | grep -vE '^\s+from |^--$' | cut -c1-400 || true
# One closing line that any CI reads: counts from the .NET test platform's summary.
sum() { grep -E "^\s+$1: [0-9]+" "$results/dotnet.log" | awk '{s+=$2} END {print s+0}'; }
echo
echo "stages failed: ${#failed_stages[@]}${failed_stages[*]:+ (${failed_stages[*]})}"
# The conformance stage's own "N passed, N failed" line is added in.
conformance_count() { grep -hE '^[0-9]+ passed, [0-9]+ failed$' "$results/conformance.log" 2>/dev/null | awk -v f="$1" '{n=$f} END {print n+0}'; }
echo "$(($(sum succeeded) + $(conformance_count 1))) passed, $(($(sum failed) + $(conformance_count 3))) failed, $(sum skipped) skipped"
[ "${#failed_stages[@]}" -eq 0 ]
