#!/usr/bin/env bash
# The end-to-end suite: the real controller and the simulated AWS run here; real libreswan hosts
# run inside a User-Mode Linux guest (this machine's kernel has no ESP). Needs root.
# Installs user-mode-linux, kmod, libreswan, libnss3-tools, tcpdump, iproute2, iputils-ping,
# openssl (and debootstrap for libreswan 5) when missing. Prints one line per scenario, naming the
# libreswan it ran on; exits non-zero when one fails.
# Usage: tests/e2e/run.sh [--selftest] [--keep] [--libreswan 4|5|4,5] [--parallel]
#   --selftest   prove the guest, libreswan and ESP without the controller (no .NET needed)
#   --keep       keep the work directories (spools, captures, guest logs) even on success
#   --libreswan  the generations to run, one guest each: 4 = this machine's root (Debian 12,
#                libreswan 4.10); 5 = a cached Debian 13 root (libreswan 5.x, tests/e2e/rootfs.sh
#                builds it when missing). Default: E2E_GENERATIONS, else 4,5 (one after the other).
#   --parallel   run the generations' guests (and drivers) at the same time (shorter, but the two
#                guests share 2 cores and the scenarios' timings stretch; CI runs them in turn)
# Environment: E2E_GENERATIONS ("4", "5" or "4 5"), E2E_TIMEOUT (seconds for each generation,
# default 2400), E2E_PARALLEL=1 (as --parallel), E2E_ROOTFS_CACHE and E2E_DEBIAN_MIRROR (rootfs.sh),
# E2E_STOP_AFTER (a scenario id: the suite ends after it, for a quicker run of its first part).
set -euo pipefail
cd "$(dirname "$0")/../.."
here=tests/e2e

mode=driver keep=0 generations=${E2E_GENERATIONS:-4 5} parallel=${E2E_PARALLEL:-0}
while [ "$#" -gt 0 ]; do
  case "$1" in
    --selftest) mode=selftest ;;
    --keep) keep=1 ;;
    --libreswan) [ "$#" -ge 2 ] || { echo "e2e: --libreswan needs 4, 5 or 4,5" >&2; exit 2; }; generations=${2//,/ }; shift ;;
    --libreswan=*) generations=${1#--libreswan=}; generations=${generations//,/ } ;;
    --parallel) parallel=1 ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "e2e: unknown argument '$1'" >&2; exit 2 ;;
  esac
  shift
done
read -r -a generations <<<"$generations"
[ "${#generations[@]}" -gt 0 ] || { echo "e2e: no libreswan generation to run" >&2; exit 2; }
for gen in "${generations[@]}"; do
  case "$gen" in 4|5) ;; *) echo "e2e: unknown libreswan generation '$gen' (4 or 5)" >&2; exit 2 ;; esac
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

# Each generation's guest root and the libreswan it holds ("libreswan 4.10"), named on every line.
declare -A root_of=() label_of=()
for gen in "${generations[@]}"; do
  if [ "$gen" = 4 ]; then
    root_of[4]=/
    label_of[4]="libreswan $(ipsec --version 2>/dev/null | grep -Eo '[0-9]+\.[0-9]+(\.[0-9]+)?' | head -n 1)"
  else
    rootfs_started=$SECONDS
    root_of[5]=$("$here/rootfs.sh") || { echo "e2e: no libreswan 5 root filesystem" >&2; exit 1; }
    label_of[5]="libreswan $(sed -n 's/^libreswan Libreswan //p' "${root_of[5]}/.ipsec-mesh-e2e-rootfs")"
    echo "e2e: ${label_of[5]} root filesystem ready in $((SECONDS - rootfs_started))s: ${root_of[5]}"
  fi
done

# A UML kernel that runs here (Debian 12's does not on every host kernel: tests/e2e/uml.sh).
mapfile -t uml < <("$here/uml.sh" || echo FAILED)
[ "${#uml[@]}" = 2 ] || { echo "e2e: no User-Mode Linux kernel runs on this machine" >&2; exit 1; }
uml_release=$(find "${uml[1]}" -mindepth 1 -maxdepth 1 -type d -printf '%f\n' | head -n 1)
echo "e2e: User-Mode Linux ${uml_release:-?} (${uml[0]})"

# One driver build for every generation.
driver=''
if [ "$mode" = driver ]; then
  driver=$(mktemp -d /var/tmp/ipsec-mesh-e2e-driver.XXXXXX)
  dotnet build tests/IpsecMesh.EndToEnd -c Release -o "$driver" -v quiet -nologo >"$driver/build.log" 2>&1 \
    || { echo "e2e: the driver does not build (see below)" >&2; tail -n 30 "$driver/build.log" >&2; rm -rf "$driver"; exit 1; }
fi

# Boots one guest on the generation's root, runs the selftest or the driver against it, stops it.
# Runs in a subshell of its own: its EXIT trap stops its guest and driver (so no `local` here:
# the trap runs after the function returned).
run_generation() {
  label=${label_of[$1]} root=${root_of[$1]}
  uml_pid='' driver_pid='' result=1 begun=$SECONDS
  tag="e2e ($label)"
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

  # shellcheck disable=SC2317 # invoked by the EXIT trap
  stop_generation() {
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
      echo "$tag: work directory kept: $workdir"
    else
      rm -rf "$workdir"
    fi
    echo "$tag: finished in $((SECONDS - begun))s: $([ "$result" = 0 ] && echo ok || echo FAILED)"
    exit "$result"
  }
  trap stop_generation EXIT
  trap 'exit 130' INT TERM

  # The guest powers itself off after the suite's timeout even if this script is killed.
  # Generation 4: this machine's / is the guest's root. Generation 5: the cached Debian 13 root,
  # whose first init mounts the repository, the work directory and the UML modules from this
  # machine at the same paths (hostfs), then runs the same guest/init.sh.
  boot=(root=/dev/root rootfstype=hostfs "rootflags=$root" rw)
  if [ "$root" = / ]; then
    boot+=("init=$PWD/$here/guest/init.sh")
  else
    boot+=(init=/usr/local/sbin/ipsec-mesh-e2e-init "e2e_repo=$PWD")
  fi
  setsid "${uml[0]}" mem=2G "${boot[@]}" e2e_workdir="$workdir" e2e_lifetime="$suite_timeout" e2e_uml_modules="${uml[1]}" \
    con=null con0=fd:0,fd:1 quiet </dev/null >"$workdir/guest/console.log" 2>&1 &
  uml_pid=$!

  until [ -e "$workdir/guest/ready" ]; do
    if [ -e "$workdir/guest/failed" ] || ! kill -0 "$uml_pid" 2>/dev/null || [ $((SECONDS - begun)) -gt 120 ]; then
      echo "$tag: the UML guest did not come up: $(cat "$workdir/guest/failed" 2>/dev/null || echo see console.log)" >&2
      tail -n 20 "$workdir/guest/console.log" >&2
      exit 1
    fi
    sleep 0.2
  done
  echo "$tag: guest up in $((SECONDS - begun))s with $(wc -l <"$workdir/hosts") hosts"

  remaining=$((suite_timeout - (SECONDS - begun)))
  if [ "$mode" = selftest ]; then
    timeout "$remaining" "$here/selftest.sh" "$workdir" "$label" && result=0
  else
    # In the background, so INT or TERM reaches the traps at once instead of after the driver.
    timeout --signal=TERM --kill-after=20 "$remaining" \
      dotnet "$driver/IpsecMesh.EndToEnd.dll" --workdir "$workdir" --repo "$PWD" --libreswan "$label" \
      </dev/null 2>"$workdir/driver.log" &
    driver_pid=$!
    wait "$driver_pid" && result=0
    driver_pid=
  fi
}

pids=() failed=()
# shellcheck disable=SC2317 # invoked by the EXIT trap
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  [ -z "$driver" ] || rm -rf "$driver"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ "$parallel" = 1 ] && [ "${#generations[@]}" -gt 1 ]; then
  for gen in "${generations[@]}"; do
    ( run_generation "$gen" ) &
    pids+=("$!")
  done
  for i in "${!pids[@]}"; do
    wait "${pids[$i]}" || failed+=("${label_of[${generations[$i]}]}")
  done
else
  for gen in "${generations[@]}"; do
    ( run_generation "$gen" ) &
    pids=("$!")
    wait "${pids[0]}" || failed+=("${label_of[$gen]}")
  done
fi
pids=()
echo "e2e: finished in $((SECONDS - started))s: $([ "${#failed[@]}" = 0 ] && echo ok || echo "FAILED on ${failed[*]}")"
[ "${#failed[@]}" -eq 0 ]
