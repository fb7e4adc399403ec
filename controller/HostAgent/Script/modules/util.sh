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
