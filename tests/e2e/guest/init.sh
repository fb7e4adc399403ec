#!/bin/bash
# PID 1 of the User-Mode Linux guest. The guest's root is the real machine's / through hostfs,
# so everything it writes outside tmpfs lands on the real machine: keep state on /run (tmpfs).
# Kernel command-line parameters arrive as environment: e2e_workdir (hostfs directory shared
# with the driver) and e2e_lifetime (seconds before the guest powers itself off regardless).
set -uo pipefail
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export LC_ALL=C
here=$(dirname "$(readlink -f "$0")")
workdir=${e2e_workdir:?e2e_workdir missing from the kernel command line}
lifetime=${e2e_lifetime:-1200}

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t tmpfs -o mode=0755 tmpfs /run
mount -t devtmpfs devtmpfs /dev 2>/dev/null || true
mkdir -p /dev/shm /dev/pts && mount -t tmpfs tmpfs /dev/shm
mount -t devpts devpts /dev/pts 2>/dev/null || true
# devtmpfs lacks the links udev makes; bash process substitution needs /dev/fd.
ln -sfn /proc/self/fd /dev/fd
ln -sfn /proc/self/fd/0 /dev/stdin
ln -sfn /proc/self/fd/1 /dev/stdout
ln -sfn /proc/self/fd/2 /dev/stderr
hostname e2e-guest

log() { printf '%s guest: %s\n' "$(date -u +%H:%M:%S.%3N)" "$*"; }
# A root without an init system (the libreswan 5 guest's) has no poweroff: the kernel's sysrq does
# it, asynchronously, so PID 1 must not exit meanwhile (the kernel would panic: "Attempted to kill init").
power_off() {
  if command -v poweroff >/dev/null; then poweroff -f; else echo o >/proc/sysrq-trigger; fi
  sleep 60
}
fail() { log "FATAL: $*"; printf '%s\n' "$*" >"$workdir/guest/failed"; power_off; }
mkdir -p "$workdir/guest"

# shellcheck source=tests/e2e/guest/modules.sh
. "$here/modules.sh"
load_uml_modules || fail "could not load the UML kernel modules"

# shellcheck source=tests/e2e/guest/network.sh
. "$here/network.sh"
build_network "$workdir/hosts" || fail "could not build the bridge and host namespaces"

while read -r name _; do
  [ -n "$name" ] || continue
  ip netns exec "$name" unshare --mount --uts --propagation private \
    "$here/host-namespace.sh" "$name" "$workdir" >>"$workdir/guest/$name.log" 2>&1 &
done <"$workdir/hosts"
"$here/spool-runner.sh" "$workdir/spool/control" "$workdir/guest/control.ready" >>"$workdir/guest/control.log" 2>&1 &

# Ready once every runner is polling its spool.
deadline=$((SECONDS + 60))
while read -r name _; do
  until [ -e "$workdir/guest/$name.ready" ]; do
    [ "$SECONDS" -lt "$deadline" ] || fail "host $name did not come up"
    read -r -t 0.2 <>/run/e2e/tick || true
  done
done < <(cat "$workdir/hosts"; echo control)
log "ready after ${SECONDS}s"
printf '%s\n' "$SECONDS" >"$workdir/guest/ready"

until [ -e "$workdir/guest/shutdown" ] || [ "$SECONDS" -ge "$lifetime" ]; do
  read -r -t 0.5 <>/run/e2e/tick || true
done
[ -e "$workdir/guest/shutdown" ] || log "lifetime of ${lifetime}s reached, powering off"
log "powering off"
kill -TERM -1 2>/dev/null
sync
power_off
