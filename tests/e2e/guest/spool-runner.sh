#!/bin/bash
# The SSM agent stand-in: runs every <id>.cmd dropped into SPOOL (a hostfs directory the driver
# writes to) with bash, concurrently, in the namespaces this runner lives in. Writes <id>.out,
# <id>.err, then <id>.rc last via rename, so the driver reads a complete result once <id>.rc
# exists. Usage: spool-runner.sh SPOOL [READY_FILE]
set -uo pipefail
spool=$1 ready=${2:-}
mkdir -p "$spool"
shopt -s nullglob

# Sleeping with `read -t` on a private fifo costs no process; forks are slow under UML.
# Without it the loop below would spin: fail instead (the guest then never reports ready).
tick=$(mktemp -u /tmp/spool-tick.XXXXXX)
mkfifo "$tick" || { echo "spool-runner: cannot make its tick fifo in /tmp" >&2; exit 1; }
exec 9<>"$tick"
rm -f "$tick"

run_one() {
  local id=$1 rc
  bash "$id.run" </dev/null >"$id.out" 2>"$id.err"
  rc=$?
  printf '%s\n' "$rc" >"$id.rc.tmp"
  mv -f "$id.rc.tmp" "$id.rc"
}

[ -z "$ready" ] || : >"$ready"
while [ ! -e "$spool/stop" ]; do
  for cmd in "$spool"/*.cmd; do
    id=${cmd%.cmd}
    mv -f "$cmd" "$id.run" 2>/dev/null || continue
    (cd "$spool" && run_one "$id") &
  done
  read -r -t 0.1 -u 9 _ || true
done
