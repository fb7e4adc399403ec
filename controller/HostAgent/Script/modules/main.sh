# The verb runner and main: parse the request, take the lock and run each verb in a subshell.
# shellcheck shell=bash

run_verb() {
  local verb=$1 out rc line result=""
  set +e
  out="$(
    set -e
    trap 'on_unexpected_error "$?" "$LINENO"' ERR
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

# Reads a request on stdin, runs its verbs in order and prints one JSON result line per verb
# on stdout; everything for humans goes to stderr and to the agent's log file. Exits 0 when
# every verb succeeded, otherwise with the exit code of the failed verb's reason.
main() {
  install -d -m 0700 "$STATE_DIR"
  WORK="$(mktemp -d "${STATE_DIR}/work.XXXXXX")"
  IN="${WORK}/in"
  mkdir -p "$IN"
  trap cleanup EXIT
  trap 'on_unexpected_error "$?" "$LINENO"' ERR
  parse_request
  exec 9>>"${STATE_DIR}/agent.lock"
  if ! flock -w "$LOCK_TIMEOUT" 9; then
    CURRENT_VERB=${VERBS[0]}
    fail locked "another ipsec-mesh agent run held the lock for ${LOCK_TIMEOUT}s"
  fi
  trap - ERR
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
