# shellcheck shell=bash
# Sourced by the bash side of the suite: send a script to a spool (a host's SSM agent stand-in,
# or "control" for the guest's root namespace) and wait for its result.
# spool_run WORKDIR SPOOL TIMEOUT_SECONDS < script  -> prints stdout, stderr to stderr, returns rc

spool_seq=0
spool_run() {
  local workdir=$1 spool=$2 timeout=$3 id dir deadline
  spool_seq=$((spool_seq + 1))
  id="sh-$$-$spool_seq-${EPOCHREALTIME/./}"
  dir="$workdir/spool/$spool"
  cat >"$dir/$id.cmd.tmp"
  mv -f "$dir/$id.cmd.tmp" "$dir/$id.cmd"
  deadline=$((SECONDS + timeout))
  until [ -e "$dir/$id.rc" ]; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "spool $spool: command $id timed out after ${timeout}s" >&2
      return 124
    fi
    sleep 0.1
  done
  cat "$dir/$id.out"
  cat "$dir/$id.err" >&2
  return "$(cat "$dir/$id.rc")"
}
