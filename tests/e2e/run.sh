#!/usr/bin/env bash
# The end-to-end suite: the real controller and the simulated AWS run here; real libreswan hosts
# run inside a User-Mode Linux guest (this machine's kernel has no ESP). Needs root.
# Installs user-mode-linux, kmod, libreswan, libnss3-tools, tcpdump, iproute2, iputils-ping and
# openssl when missing. Prints one line per scenario; exits non-zero when one fails.
# Usage: tests/e2e/run.sh [--selftest] [--keep]
#   --selftest  prove the guest, libreswan and ESP without the controller (no .NET needed)
#   --keep      keep the work directory (spools, captures, guest logs) even on success
# Environment: E2E_TIMEOUT (seconds for the whole suite, default 2400).
set -euo pipefail
cd "$(dirname "$0")/../.."
here=tests/e2e

mode=driver keep=0
for arg in "$@"; do
  case "$arg" in
    --selftest) mode=selftest ;;
    --keep) keep=1 ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "e2e: unknown argument '$arg'" >&2; exit 2 ;;
  esac
done
[ "$(id -u)" -eq 0 ] || { echo "e2e: needs root (namespaces and mounts inside the UML guest)" >&2; exit 2; }

suite_timeout=${E2E_TIMEOUT:-2400}
started=$SECONDS

missing=()
[ -x /usr/bin/linux.uml ] || missing+=(user-mode-linux)
[ -x /usr/libexec/ipsec/pluto ] || missing+=(libreswan)
command -v modprobe >/dev/null || missing+=(kmod)
command -v certutil >/dev/null || missing+=(libnss3-tools)
command -v tcpdump >/dev/null || missing+=(tcpdump)
command -v ip >/dev/null || missing+=(iproute2)
command -v ping >/dev/null || missing+=(iputils-ping)
command -v openssl >/dev/null || missing+=(openssl)
if [ "${#missing[@]}" -gt 0 ]; then
  echo "e2e: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

workdir=$(mktemp -d /var/tmp/ipsec-mesh-e2e.XXXXXX)
mkdir -p "$workdir/spool/control" "$workdir/guest"
# name, address; h4 is never enrolled (scenario b), h5's install is made to fail (scenario f).
cat >"$workdir/hosts" <<'HOSTS'
h1 10.99.0.5
h2 10.99.0.9
h3 10.99.0.13
h4 10.99.0.17
h5 10.99.0.21
HOSTS
while read -r name _; do mkdir -p "$workdir/spool/$name"; done <"$workdir/hosts"

uml_pid='' driver_pid=''
result=1
# shellcheck disable=SC2317 # invoked by the EXIT trap
cleanup() {
  if [ -n "$driver_pid" ] && kill -0 "$driver_pid" 2>/dev/null; then
    # timeout forwards TERM to the driver, which stops the controller; KILL after 20 s.
    kill -TERM "$driver_pid" 2>/dev/null || true
    wait "$driver_pid" 2>/dev/null || true
  fi
  if [ -n "$uml_pid" ] && kill -0 "$uml_pid" 2>/dev/null; then
    : >"$workdir/guest/shutdown"
    for _ in $(seq 50); do kill -0 "$uml_pid" 2>/dev/null || break; sleep 0.2; done
    # The guest runs as a process group of its own (setsid): end that group only.
    kill -KILL -- "-$uml_pid" 2>/dev/null || true
    wait "$uml_pid" 2>/dev/null || true
  fi
  if [ "$keep" = 1 ] || [ "$result" != 0 ]; then
    echo "e2e: work directory kept: $workdir"
  else
    rm -rf "$workdir"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The guest powers itself off after the suite's timeout even if this script is killed.
setsid linux.uml mem=2G root=/dev/root rootfstype=hostfs rootflags=/ rw \
  init="$PWD/$here/guest/init.sh" e2e_workdir="$workdir" e2e_lifetime="$suite_timeout" \
  con=null con0=fd:0,fd:1 quiet </dev/null >"$workdir/guest/console.log" 2>&1 &
uml_pid=$!

until [ -e "$workdir/guest/ready" ]; do
  if [ -e "$workdir/guest/failed" ] || ! kill -0 "$uml_pid" 2>/dev/null || [ $((SECONDS - started)) -gt 90 ]; then
    echo "e2e: the UML guest did not come up: $(cat "$workdir/guest/failed" 2>/dev/null || echo see console.log)" >&2
    tail -n 20 "$workdir/guest/console.log" >&2
    exit 1
  fi
  sleep 0.2
done
echo "e2e: guest up in $((SECONDS - started))s with $(wc -l <"$workdir/hosts") hosts"

remaining=$((suite_timeout - (SECONDS - started)))
if [ "$mode" = selftest ]; then
  timeout "$remaining" "$here/selftest.sh" "$workdir" && result=0
else
  driver="$workdir/driver"
  dotnet build tests/IpsecMesh.EndToEnd -c Release -o "$driver" -v quiet -nologo >"$workdir/build.log" 2>&1 \
    || { echo "e2e: the driver does not build (see below)" >&2; tail -n 30 "$workdir/build.log" >&2; exit 1; }
  remaining=$((suite_timeout - (SECONDS - started)))
  # In the background, so INT or TERM reaches the traps at once instead of after the driver.
  timeout --signal=TERM --kill-after=20 "$remaining" \
    dotnet "$driver/IpsecMesh.EndToEnd.dll" --workdir "$workdir" --repo "$PWD" </dev/null 2>"$workdir/driver.log" &
  driver_pid=$!
  wait "$driver_pid" && result=0
  driver_pid=
fi
echo "e2e: finished in $((SECONDS - started))s: $([ "$result" = 0 ] && echo ok || echo FAILED)"
exit "$result"
