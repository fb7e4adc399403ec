# The request: its alphabet, its parser and the accessors of its params and files.
# shellcheck shell=bash

readonly VERB_NAMES=" install apply-config csr install-cert install-p12 status uninstall "
readonly RE_PROTOCOL='^protocol ([0-9]+)$'
readonly RE_VERB='^verb ([a-z0-9-]+)$'
readonly RE_PARAM='^param ([a-zA-Z][a-zA-Z0-9]{0,63})( ([A-Za-z0-9._:/+=@-]{0,256}))?$'
readonly RE_FILE='^file ([a-z0-9][a-z0-9._-]*(/[a-z0-9][a-z0-9._-]*)*) ([A-Za-z0-9+/]*={0,2})$'

# The parsed request: its verbs in order and its params. Its files are under ${IN}.
declare -a VERBS=()
declare -A PARAMS=()
# The base64 text of each crl/ file as the request carried it: compared with the stored copy
# without running a process.
declare -A FILE_B64=()

# A request that does not parse runs no verb, so its result line reports the verb "request".
bad_request() {
  CURRENT_VERB=request
  fail bad_request "$1"
}

parse_request() {
  local line number=0 saw_protocol=false path
  while IFS= read -r line || [ -n "$line" ]; do
    number=$((number + 1))
    line=${line%$'\r'}
    [ -z "$line" ] && continue
    if [[ $line =~ $RE_PROTOCOL ]]; then
      [ "${BASH_REMATCH[1]}" = 1 ] || bad_request "request line ${number}: unsupported protocol version"
      saw_protocol=true
    elif [[ $line =~ $RE_VERB ]]; then
      case $VERB_NAMES in
        *" ${BASH_REMATCH[1]} "*) VERBS+=("${BASH_REMATCH[1]}") ;;
        *) bad_request "request line ${number}: unknown verb" ;;
      esac
    elif [[ $line =~ $RE_PARAM ]]; then
      PARAMS[${BASH_REMATCH[1]}]="${BASH_REMATCH[3]}"
    elif [[ $line =~ $RE_FILE ]]; then
      path=${BASH_REMATCH[1]}
      case $path in
        *..*) bad_request "request line ${number}: file path is not allowed" ;;
        crl/*) FILE_B64[$path]=${BASH_REMATCH[3]} ;;
      esac
      path="${IN}/${path}"
      [ -d "${path%/*}" ] || mkdir -p "${path%/*}"
      if ! printf '%s' "${BASH_REMATCH[3]}" | base64 -d >"$path" 2>/dev/null; then
        bad_request "request line ${number}: file is not valid base64"
      fi
    else
      bad_request "request line ${number}: not a protocol, verb, param or file line of the allowed alphabet"
    fi
  done
  [ "$saw_protocol" = true ] || bad_request "request has no 'protocol 1' line"
  [ "${#VERBS[@]}" -gt 0 ] || bad_request "request has no verb"
}

param() { printf '%s' "${PARAMS[$1]:-}"; }

has_file() { [ -f "${IN}/$1" ]; }

bad_request_verb() { fail bad_request "$1"; }
