# Output and failure: the log, JSON result lines and the exit code of each failure reason.
# shellcheck shell=bash

# Builtins only (no date, no dirname): a process costs a tenth of a second in slow guests.
log() {
  local line
  printf -v line '%(%Y-%m-%dT%H:%M:%SZ)T ipsec-mesh-agent[%s]: %s' -1 "$$" "$*"
  printf '%s\n' "$line" >&2
  if [ -n "$LOG_FILE" ] && [ -d "${LOG_FILE%/*}" ]; then
    printf '%s\n' "$line" >>"$LOG_FILE" 2>/dev/null || true
  fi
}

# Runs a command with its stdout and stderr sent to the log, never to our stdout.
quiet() {
  local out rc=0
  out="$("$@" 2>&1)" || rc=$?
  if [ -n "$out" ]; then
    local line
    while IFS= read -r line; do log "  ${1##*/}: ${line}"; done <<<"$out"
  fi
  return "$rc"
}

json_string() {
  local s=$1
  s=${s//\\/\\\\}
  s=${s//\"/\\\"}
  s=${s//[$'\001'-$'\037']/ }
  printf '"%s"' "$s"
}

exit_code_for() {
  case $1 in
    bad_request) echo 2 ;;
    unsupported_os) echo 3 ;;
    install_failed) echo 4 ;;
    nss_failed) echo 5 ;;
    no_matching_key) echo 6 ;;
    bad_certificate) echo 7 ;;
    kms_failed) echo 8 ;;
    config_failed) echo 9 ;;
    not_running) echo 10 ;;
    locked) echo 11 ;;
    unsupported_version) echo 12 ;;
    inputs_failed) echo 13 ;;
    not_in_batch) echo 14 ;;
    *) echo 1 ;;
  esac
}

# result_line VERB OK [CODE ERROR] [FIELDS]: FIELDS is a ready JSON fragment ("a":1,"b":"x").
result_line() {
  local verb=$1 ok=$2 code=${3:-} error=${4:-} fields=${5:-}
  local line
  line="${RESULT_PREFIX}\"verb\":$(json_string "$verb"),\"ok\":${ok}"
  if [ "$ok" != true ]; then
    line+=",\"code\":$(json_string "$code"),\"error\":$(json_string "$error")"
  fi
  if [ -n "$fields" ]; then line+=",${fields}"; fi
  printf '%s}\n' "$line"
}

succeed() {
  result_line "$CURRENT_VERB" true "" "" "${1:-}"
  exit 0
}

# Reports the verb's failure and ends it. After switch_config and before the new config is in
# force, the previous config is put back first (in the verb's own shell only: a nested subshell
# just exits, and the verb's shell then fails on it). Inside that rollback a failure only ends the
# step it happened in.
fail() {
  local code=$1 message=$2
  if [ "$IN_ROLLBACK" = true ]; then
    log "while putting back the previous config: ${code}: ${message}"
    exit 1
  fi
  log "${CURRENT_VERB:-request}: ${code}: ${message}"
  if [ "$ROLLBACK_ARMED" = true ] && [ "$BASHPID" = "$VERB_PID" ]; then
    if rollback_config; then
      message+="; the previous config is back in force"
    else
      message+="; putting back the previous config failed too (see the agent log)"
    fi
  fi
  result_line "${CURRENT_VERB:-request}" false "$code" "$message"
  exit "$(exit_code_for "$code")"
}

on_unexpected_error() {
  local rc=$1 line=$2
  fail internal "unexpected failure (exit ${rc}) at agent line ${line}"
}
