# The request: its alphabet, its parser, its input file and the accessors of its params and files.
# shellcheck shell=bash

readonly VERB_NAMES=" install apply-config csr install-cert install-p12 status uninstall "
readonly RE_PROTOCOL='^protocol ([0-9]+)$'
readonly RE_VERB='^verb ([a-z0-9-]+)$'
readonly RE_PARAM='^param ([a-zA-Z][a-zA-Z0-9]{0,63})( ([A-Za-z0-9._:/+=@-]{0,256}))?$'
readonly RE_FILE='^file ([a-z0-9][a-z0-9._-]*(/[a-z0-9][a-z0-9._-]*)*) ([A-Za-z0-9+/]*={0,2})$'
readonly RE_INPUTS='^inputs ([0-9a-f]{64})$'
# The request as the SSM document passes it (the argument of main): base64, whole quads only.
readonly RE_BASE64='^([A-Za-z0-9+/]{4})*([A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{4})$'

# The parsed request: its verbs in order and its params. Its files are under ${IN}.
declare -a VERBS=()
declare -A PARAMS=()
# The base64 text of each crl/ file as the request carried it: compared with the stored copy
# without running a process.
declare -A FILE_B64=()
# The SHA-256 of the request's input file (its `inputs` line), empty when it has none.
INPUTS_SHA=""

# A request that does not parse runs no verb, so its result line reports the verb "request".
bad_request() {
  CURRENT_VERB=request
  fail bad_request "$1"
}

inputs_failed() {
  CURRENT_VERB=request
  fail inputs_failed "$1"
}

# take_file WHERE PATH BASE64: one file input, decoded into ${IN}.
take_file() {
  local path=$2
  case $path in
    *..*) bad_request "$1: file path is not allowed" ;;
    crl/*) FILE_B64[$path]=$3 ;;
  esac
  path="${IN}/${path}"
  [ -d "${path%/*}" ] || mkdir -p "${path%/*}"
  if ! printf '%s' "$3" | base64 -d >"$path" 2>/dev/null; then
    bad_request "$1: file is not valid base64"
  fi
}

# The request: protocol, verb, param and file lines, and at most one inputs line naming the
# input file (file lines only) by its SHA-256. SSM downloads that file (the document's first
# step) to ${INPUTS_DIR}/<sha256>; one whose content has another hash is refused.
parse_request() {
  local line number=0 saw_protocol=false
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
      take_file "request line ${number}" "${BASH_REMATCH[1]}" "${BASH_REMATCH[3]}"
    elif [[ $line =~ $RE_INPUTS ]]; then
      [ -z "$INPUTS_SHA" ] || bad_request "request line ${number}: a second inputs line"
      INPUTS_SHA=${BASH_REMATCH[1]}
    else
      bad_request "request line ${number}: not a protocol, verb, param, file or inputs line of the allowed alphabet"
    fi
  done
  [ "$saw_protocol" = true ] || bad_request "request has no 'protocol 1' line"
  [ "${#VERBS[@]}" -gt 0 ] || bad_request "request has no verb"
  [ -z "$INPUTS_SHA" ] || read_inputs
}

# The input file: present, of the hash the request names (the request comes through SSM, the
# file from the bucket), and file lines only.
read_inputs() {
  local file="${INPUTS_DIR}/${INPUTS_SHA}" sum line number=0
  [ -f "$file" ] || inputs_failed "the input file ${INPUTS_SHA:0:12} of the request was not downloaded to ${INPUTS_DIR}"
  sum=$(sha256sum <"$file")
  [ "${sum%% *}" = "$INPUTS_SHA" ] || inputs_failed "the input file ${INPUTS_SHA:0:12} has another SHA-256 than the request names: refused"
  while IFS= read -r line || [ -n "$line" ]; do
    number=$((number + 1))
    [ -z "$line" ] && continue
    [[ $line =~ $RE_FILE ]] || bad_request "input line ${number}: not a file line of the allowed alphabet"
    take_file "input line ${number}" "${BASH_REMATCH[1]}" "${BASH_REMATCH[3]}"
  done <"$file"
}

# The request as main gets it: the base64 argument the SSM document passes, else standard input.
read_request() {
  if [ "$#" -eq 0 ]; then
    parse_request
    return
  fi
  [[ $1 =~ $RE_BASE64 ]] || bad_request "the request argument is not base64"
  parse_request <<<"$(printf '%s' "$1" | base64 -d)"
}

param() { printf '%s' "${PARAMS[$1]:-}"; }

has_file() { [ -f "${IN}/$1" ]; }

bad_request_verb() { fail bad_request "$1"; }
