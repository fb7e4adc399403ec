# Small helpers shared by several modules.
# shellcheck shell=bash

# Whether two text files hold the same bytes; builtins only (our text files hold no NUL byte).
same_text() {
  local a="" b=""
  [ -f "$1" ] && [ -f "$2" ] || return 1
  IFS= read -r -d '' a <"$1" || true
  IFS= read -r -d '' b <"$2" || true
  [ "$a" = "$b" ]
}

# Reads file $2 whole into the variable named $1 (builtins only; our text files hold no NUL byte).
read_text() {
  printf -v "$1" '%s' ""
  IFS= read -r -d '' "$1" <"$2" || true
}

# Writes $2 to file $1 through a temporary file beside it and a rename, so a reader (or the next
# run after a kill) finds the old content or the new, never a part. With $3 = 0644 the file is
# world-readable (created under umask 022: no chmod process), else private (umask 077).
write_atomic() {
  local tmp="${1%/*}/.${1##*/}.ipsec-mesh-new"
  if [ "${3:-}" = 0644 ]; then umask 022; fi
  printf '%s' "$2" >"$tmp"
  umask 077
  mv -f "$tmp" "$1"
}

# For the tests (IPSEC_MESH_TEST_KILL_AT): the agent dies here as it would from SIGKILL, the verb's
# subshell and the main shell both, leaving whatever it had written.
test_kill_point() {
  [ "$TEST_KILL_AT" = "$1" ] || return 0
  log "test hook: SIGKILL at ${1}"
  kill -9 "$$" "$BASHPID"
}
