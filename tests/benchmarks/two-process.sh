#!/usr/bin/env bash
# Two-process benchmark: `ipsec-mesh simulate --serve` (N instances tagged IPSec=todo, AWS's throttling) and `ipsec-mesh run`
# as separate processes, until every instance is enabled. Prints the controller's own figures: peak RSS (VmHWM of
# /proc/PID/status), CPU seconds (utime+stime of /proc/PID/stat), AWS calls per instance (the simulator's count; EC2+SSM
# and all), and the time to converge from the controller's start. Figures, not assertions.
# Usage: tests/benchmarks/two-process.sh N [--speed F] [--timeout SECONDS]   (F: simulated time's speed, default 1)
set -euo pipefail
cd "$(dirname "$0")/../.." || exit 1

n=${1:?usage: two-process.sh N [--speed F] [--timeout SECONDS]}
shift
speed=1
timeout=3600
while [ $# -gt 0 ]; do
  case "$1" in
    --speed) speed=$2; shift 2 ;;
    --timeout) timeout=$2; shift 2 ;;
    *) echo "two-process.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
dll=controller/bin/Release/net10.0/ipsec-mesh.dll
[ -f "$dll" ] || dotnet build controller/ipsec-mesh.csproj -c Release -v q -nologo >/dev/null

work=$(mktemp -d)
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

dotnet "$dll" simulate --serve --port 0 --instances "$n" --tag IPSec=todo --throttle aws --speed "$speed" --env-file "$work/env" >"$work/serve.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 3000); do [ -s "$work/env" ] && break; sleep 0.2; done
[ -s "$work/env" ] || { cat "$work/serve.log"; exit 1; }
# shellcheck disable=SC1091
. "$work/env"
summary() { curl -fsS "$AWS_ENDPOINT_URL/_simulator/summary"; }
calls_before=$(summary | jq '.totalCalls')

start=$(date +%s.%N)
IpsecMesh__HealthPort=0 dotnet "$dll" run >"$work/run.log" 2>&1 &
controller=$!
pids+=("$controller")
hz=$(getconf CLK_TCK)
converged=""
while :; do
  sleep 2
  kill -0 "$controller" 2>/dev/null || { echo "the controller exited:"; tail -20 "$work/run.log"; exit 1; }
  state=$(summary)
  enabled=$(jq '.phases.enabled // 0' <<<"$state")
  elapsed=$(echo "$(date +%s.%N) - $start" | bc)
  rss=$(awk '/VmHWM/ {print $2}' "/proc/$controller/status")
  printf '\r%6.0f s: %s enabled of %s, controller peak RSS %s MB ' "$elapsed" "$enabled" "$n" "$((rss / 1024))" >&2
  if [ "$enabled" -ge "$n" ]; then converged=$elapsed; break; fi
  if [ "$(echo "$elapsed > $timeout" | bc)" = 1 ]; then break; fi
done
echo >&2
read -r utime stime < <(awk '{print $14, $15}' "/proc/$controller/stat")
rss=$(awk '/VmHWM/ {print $2}' "/proc/$controller/status")
state=$(summary)
total=$(($(jq '.totalCalls' <<<"$state") - calls_before))
ec2ssm=$(jq '[.calls | to_entries[] | select(.key | test("^(ec2|ssm):")) | .value] | add' <<<"$state")
echo "N = $n (simulate --serve --throttle aws --speed $speed; ipsec-mesh run with its default settings)"
echo "converged: ${converged:-no (timeout ${timeout} s)}${converged:+ s after the controller started}"
echo "controller peak RSS: $((rss / 1024)) MB"
echo "controller CPU: $(echo "scale=1; ($utime + $stime) / $hz" | bc) s"
echo "AWS calls per instance: $(echo "scale=2; $total / $n" | bc) (EC2+SSM $(echo "scale=2; $ec2ssm / $n" | bc)), throttled $(jq '.throttled' <<<"$state")"
[ -n "$converged" ]
