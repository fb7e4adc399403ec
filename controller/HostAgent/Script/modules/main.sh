# The verb runner and main: parse the request, take the lock and run each verb in a subshell.
# shellcheck shell=bash

run_verb() {
  local verb=$1 out rc line result=""
  set +e
  out="$(
    set -e
    trap 'on_unexpected_error "$?" "$LINENO"' ERR
    VERB_PID=$BASHPID
    CURRENT_VERB=$verb
    "verb_${verb//-/_}"
  )"
  rc=$?
  set -e
  while IFS= read -r line; do
    case $line in
      "$RESULT_PREFIX"*) result=$line ;;
      "") ;;
      *) log "${verb}: ${line}" ;;
    esac
  done <<<"$out"
  if [ -z "$result" ]; then
    CURRENT_VERB=$verb
    [ "$rc" -ne 0 ] || rc=1
    result="$(result_line "$verb" false internal "the verb ended without a result (exit ${rc})")"
  fi
  printf '%s\n' "$result"
  return "$rc"
}

cleanup() {
  if [ -n "$WORK" ] && [ -d "$WORK" ]; then rm -rf "$WORK"; fi
}

# Work directories of runs that were killed (named work.<pid>.*, the pid no longer alive); a run
# waiting for the lock keeps its own.
remove_stale_work_dirs() {
  local dir pid
  for dir in "${STATE_DIR}"/work.*; do
    if [ ! -d "$dir" ] || [ "$dir" = "$WORK" ]; then continue; fi
    pid=${dir#"${STATE_DIR}/work."}
    pid=${pid%%.*}
    if [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null; then continue; fi
    rm -rf "$dir"
  done
}

# The agent's log and pluto's (when the agent starts pluto itself, with --logfile) are rotated
# once over LOG_MAX_BYTES, LOG_KEEP old copies kept (FILE.1 the newest). pluto keeps its log open
# and appends (logappend=yes, libreswan's default), so its log is copied and then truncated; lines
# pluto writes between the two are lost. One stat for both sizes; the rest are builtins.
rotate_logs() {
  local size name
  local -a logs=()
  [ ! -f "$LOG_FILE" ] || logs+=("$LOG_FILE")
  if [ -f "$PLUTO_LOG" ] && ! use_systemd; then logs+=("$PLUTO_LOG"); fi
  [ "${#logs[@]}" -gt 0 ] || return 0
  while read -r size name; do
    [ "$size" -gt "$LOG_MAX_BYTES" ] || continue
    rotate_log "$name" "$size"
  done < <(stat -c '%s %n' -- "${logs[@]}" 2>/dev/null)
}

rotate_log() {
  local file=$1 n
  for ((n = LOG_KEEP; n > 1; n--)); do
    if [ -f "${file}.$((n - 1))" ]; then mv -f "${file}.$((n - 1))" "${file}.${n}"; fi
  done
  if [ "$file" = "$PLUTO_LOG" ]; then
    cp -p "$file" "${file}.1"
    : >"$file"
  else
    mv -f "$file" "${file}.1"
  fi
  log "rotated ${file} (${2} bytes, over ${LOG_MAX_BYTES}) to ${file}.1"
}

# Input files SSM downloaded for earlier runs (each run's own file is read before the lock): gone
# after an hour. Not at once: a second command with the same inputs may have downloaded it already.
remove_stale_inputs() {
  local files=("${INPUTS_DIR}"/*)
  [ -e "${files[0]}" ] || return 0
  find "$INPUTS_DIR" -maxdepth 1 -type f -mmin +60 -delete 2>/dev/null || true
}

# Reads a request (the base64 argument the SSM document passes, else standard input), runs its
# verbs in order and prints one JSON result line per verb on stdout; everything for humans goes to
# stderr and to the agent's log file. Exits 0 when every verb succeeded, otherwise with the exit
# code of the failed verb's reason.
main() {
  install -d -m 0700 "$STATE_DIR"
  WORK="$(mktemp -d "${STATE_DIR}/work.$$.XXXXXX")"
  IN="${WORK}/in"
  mkdir -p "$IN"
  trap cleanup EXIT
  trap 'on_unexpected_error "$?" "$LINENO"' ERR
  read_request "$@"
  exec 9>>"${STATE_DIR}/agent.lock"
  if ! flock -w "$LOCK_TIMEOUT" 9; then
    CURRENT_VERB=${VERBS[0]}
    fail locked "another ipsec-mesh agent run held the lock for ${LOCK_TIMEOUT}s"
  fi
  trap - ERR
  rotate_logs
  remove_stale_work_dirs
  remove_stale_inputs
  log "running ${VERBS[*]}"
  local verb rc
  for verb in "${VERBS[@]}"; do
    # Not in an `||` list: errexit must stay effective inside the verb.
    set +e
    run_verb "$verb"
    rc=$?
    set -e
    if [ "$rc" -ne 0 ]; then
      log "${verb} failed with exit ${rc}; later verbs skipped"
      exit "$rc"
    fi
  done
}
