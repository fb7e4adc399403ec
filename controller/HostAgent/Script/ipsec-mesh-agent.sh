#!/usr/bin/env bash
# ipsec-mesh host agent, protocol 1 (docs/host-agent-protocol.md).
#
# Reads a request on stdin, runs its verbs in order and prints one JSON result line per verb
# on stdout; everything for humans goes to stderr and to the agent's log file. Exits 0 when
# every verb succeeded, otherwise with the exit code of the failed verb's reason.
#
# Every filesystem root can be moved with an environment variable (tests, containers,
# one pluto per network namespace): see the defaults below and docs/host-agent.md.
set -Eeuo pipefail
umask 077
export LC_ALL=C TZ=UTC
export PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:${PATH:-}"

readonly STATE_DIR="${IPSEC_MESH_STATE_DIR:-/var/lib/ipsec-mesh}"
readonly IPSECD_DIR="${IPSEC_MESH_IPSECD_DIR:-/etc/ipsec.d}"
readonly IPSEC_CONF="${IPSEC_MESH_IPSEC_CONF:-/etc/ipsec.conf}"
readonly RUN_DIR="${IPSEC_MESH_RUN_DIR:-/run/pluto}"
readonly LOG_FILE="${IPSEC_MESH_LOG_FILE:-${STATE_DIR}/agent.log}"
readonly PLUTO_LOG="${IPSEC_MESH_PLUTO_LOG:-/var/log/pluto.log}"
readonly PLUTO_BIN="${IPSEC_MESH_PLUTO:-/usr/libexec/ipsec/pluto}"
# whack and addconn straight from libreswan's libexec directory when they are there: the `ipsec`
# front end is a long shell script, run for every call otherwise.
readonly IPSEC_LIBEXEC="${PLUTO_BIN%/*}"
readonly CTL_SOCKET="${RUN_DIR}/pluto.ctl"
readonly LOCK_TIMEOUT="${IPSEC_MESH_LOCK_TIMEOUT:-120}"
readonly IMDS_URL="${IPSEC_MESH_IMDS_URL:-http://169.254.169.254}"
readonly XFRM_STAT="${IPSEC_MESH_XFRM_STAT:-/proc/net/xfrm_stat}"
readonly AWS_CLI="${IPSEC_MESH_AWS_CLI:-aws}"
# auto: systemd when it is PID 1's init, otherwise pluto is started directly.
readonly INIT_MODE="${IPSEC_MESH_INIT:-auto}"
NSS_DIR="${IPSEC_MESH_NSS_DIR:-}"

readonly HOST_NICK="ipsec-mesh-host"
readonly CA_PREFIX="ipsec-mesh-ca-"
readonly CSR_SUBJECT="O=ipsec-mesh,CN=ipsec-mesh host key"
readonly POLICY_GROUPS=(private clear private-or-clear clear-or-private block)
# The conns that need no certificate can be loaded before the host has one.
readonly CERTLESS_CONNS=(clear block)
readonly METADATA_ADDRESSES=(169.254.169.254/32 169.254.169.253/32)
readonly RESULT_PREFIX='{"ipsecMesh":1,'

declare -a VERBS=()
declare -A PARAMS=()
# The base64 text of each crl/ file as the request carried it: compared with the stored copy
# without running a process.
declare -A FILE_B64=()
WORK=""
IN=""
CURRENT_VERB=""
SETUP_CHANGED=false
# Whether apply_config_files changed a conn or policy file (false: the loaded conns are current).
CONFIG_CHANGED=false

# ---------------------------------------------------------------------------------------------
# Output and failure

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

fail() {
  local code=$1 message=$2
  log "${CURRENT_VERB:-request}: ${code}: ${message}"
  result_line "${CURRENT_VERB:-request}" false "$code" "$message"
  exit "$(exit_code_for "$code")"
}

on_unexpected_error() {
  local rc=$1 line=$2
  fail internal "unexpected failure (exit ${rc}) at agent line ${line}"
}

# ---------------------------------------------------------------------------------------------
# The request

readonly VERB_NAMES=" install apply-config csr install-cert install-p12 status uninstall "
readonly RE_PROTOCOL='^protocol ([0-9]+)$'
readonly RE_VERB='^verb ([a-z0-9-]+)$'
readonly RE_PARAM='^param ([a-zA-Z][a-zA-Z0-9]{0,63})( ([A-Za-z0-9._:/+=@-]{0,256}))?$'
readonly RE_FILE='^file ([a-z0-9][a-z0-9._-]*(/[a-z0-9][a-z0-9._-]*)*) ([A-Za-z0-9+/]*={0,2})$'

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

# ---------------------------------------------------------------------------------------------
# Host facts

have() { command -v "$1" >/dev/null 2>&1; }

libreswan_version() {
  local out
  have ipsec || return 0
  out="$(ipsec --version 2>/dev/null)" || return 0
  if [[ $out =~ ([0-9]+\.[0-9]+(\.[0-9]+)?) ]]; then printf '%s' "${BASH_REMATCH[1]}"; fi
}

libreswan_major() {
  local version
  version="$(libreswan_version)"
  printf '%s' "${version%%.*}"
}

# The NSS directory the installed libreswan uses: 5.x answers `ipsec --nssdir`; 4.x prints its
# compiled-in default in `ipsec initnss --help`; older builds used /etc/ipsec.d.
detect_nss_dir() {
  local out
  [ -n "$NSS_DIR" ] && return 0
  if have ipsec; then
    out="$(ipsec --nssdir 2>/dev/null)" || out=""
    if [[ $out =~ ^(/[^[:space:]]*) ]]; then NSS_DIR=${BASH_REMATCH[1]}; return 0; fi
    out="$(ipsec initnss --help 2>&1)" || true
    if [[ $out =~ --nssdir\ (/[^][:space:]]*) ]]; then NSS_DIR=${BASH_REMATCH[1]}; return 0; fi
  fi
  if [ -f /etc/ipsec.d/cert9.db ]; then NSS_DIR=/etc/ipsec.d; else NSS_DIR=/var/lib/ipsec/nss; fi
}

nss_ready() { [ -f "${NSS_DIR}/cert9.db" ] && [ -f "${NSS_DIR}/key4.db" ]; }

require_nss() {
  detect_nss_dir
  have certutil || fail nss_failed "certutil (NSS tools) is not installed; run install first"
  nss_ready || fail nss_failed "the NSS database at ${NSS_DIR} does not exist; run install first"
}

nss_password_file() {
  # libreswan's database has an empty password; certutil still wants a password file.
  [ -f "${WORK}/nss-password" ] || : >"${WORK}/nss-password"
  printf '%s' "${WORK}/nss-password"
}

ipsec_tool() {
  local tool=$1
  shift
  if [ -x "${IPSEC_LIBEXEC}/${tool}" ]; then "${IPSEC_LIBEXEC}/${tool}" "$@"; else ipsec "$tool" "$@"; fi
}

pluto_whack() { ipsec_tool whack --ctlsocket "$CTL_SOCKET" "$@"; }

pluto_running() {
  have ipsec || return 1
  [ -S "$CTL_SOCKET" ] || return 1
  pluto_whack --status >/dev/null 2>&1
}

use_systemd() {
  case $INIT_MODE in
    systemd) return 0 ;;
    direct) return 1 ;;
    *) [ -d /run/systemd/system ] && have systemctl ;;
  esac
}

# ---------------------------------------------------------------------------------------------
# Certificates

require_openssl() {
  have openssl || fail internal "openssl is not installed; run install first"
}

hex_to_file() {
  local hex=$1 escaped="" i
  [ $((${#hex} % 2)) -eq 0 ] || hex="0${hex}"
  for ((i = 0; i < ${#hex}; i += 2)); do escaped+="\\x${hex:i:2}"; done
  printf '%b' "$escaped" >"$2"
}

# NSS's CKA_ID of a public key: SHA-1 of the RSA modulus or of the EC point.
ckaid_of() {
  local kind=$1 file=$2 modulus der
  if [ "$kind" = req ]; then
    openssl req -in "$file" -pubkey -noout >"${WORK}/ckaid.pub" 2>/dev/null || return 1
  else
    openssl x509 -in "$file" -pubkey -noout >"${WORK}/ckaid.pub" 2>/dev/null || return 1
  fi
  if modulus="$(openssl rsa -pubin -in "${WORK}/ckaid.pub" -noout -modulus 2>/dev/null)"; then
    hex_to_file "${modulus#Modulus=}" "${WORK}/ckaid.bin"
  else
    openssl pkey -pubin -in "${WORK}/ckaid.pub" -outform DER -out "${WORK}/ckaid.der" 2>/dev/null || return 1
    der=$(stat -c %s "${WORK}/ckaid.der")
    # An uncompressed P-256 point is the last 65 bytes of the SubjectPublicKeyInfo.
    tail -c 65 "${WORK}/ckaid.der" >"${WORK}/ckaid.bin"
    [ "$der" -gt 65 ] || return 1
  fi
  sha1sum "${WORK}/ckaid.bin" >"${WORK}/ckaid.sum"
  local sum
  read -r sum _ <"${WORK}/ckaid.sum"
  printf '%s' "$sum"
}

nss_has_key() {
  local listing
  listing="$(certutil -K -d "sql:${NSS_DIR}" -f "$(nss_password_file)" 2>/dev/null)" || return 1
  [[ $listing == *" $1 "* || $listing == *" $1"$'\n'* || $listing == *" $1" ]]
}

nss_has_cert() { certutil -L -d "sql:${NSS_DIR}" -n "$1" >/dev/null 2>&1; }

nss_cert_pem() { certutil -L -d "sql:${NSS_DIR}" -n "$1" -a 2>/dev/null; }

cert_serial() {
  local serial
  serial="$(openssl x509 -in "$1" -noout -serial)"
  serial=${serial#serial=}
  serial=${serial,,}
  # Whole bytes, without DER's sign-padding zero bytes: 0x0abc is "0abc", 0x80 is "80".
  while [ "${#serial}" -gt 2 ] && [[ $serial == 00* ]]; do serial=${serial#00}; done
  printf '%s' "$serial"
}

cert_not_after() {
  local end
  end="$(openssl x509 -in "$1" -noout -enddate)"
  date -u -d "${end#notAfter=}" +%Y-%m-%dT%H:%M:%SZ
}

cert_fingerprint() {
  local fp
  fp="$(openssl x509 -in "$1" -noout -fingerprint -sha256)"
  fp=${fp#*=}
  fp=${fp//:/}
  printf '%s' "${fp,,}"
}

# Splits a PEM bundle into ${WORK}/ca/N.pem; fails bad_certificate when a block is not a certificate.
split_ca_bundle() {
  local line n=0 in_block=false
  mkdir -p "${WORK}/ca"
  while IFS= read -r line || [ -n "$line" ]; do
    line=${line%$'\r'}
    if [ "$line" = "-----BEGIN CERTIFICATE-----" ]; then
      n=$((n + 1)); in_block=true
      printf '%s\n' "$line" >"${WORK}/ca/${n}.pem"
    elif [ "$in_block" = true ]; then
      printf '%s\n' "$line" >>"${WORK}/ca/${n}.pem"
      [ "$line" = "-----END CERTIFICATE-----" ] && in_block=false
    fi
  done <"$1"
  [ "$n" -gt 0 ] || fail bad_certificate "the CA bundle holds no certificate"
  local pem
  for pem in "${WORK}"/ca/*.pem; do
    openssl x509 -in "$pem" -noout 2>/dev/null || fail bad_certificate "the CA bundle holds a block that is not a certificate"
  done
}

# CA id (the first 16 hex digits of the certificate's SHA-256, as the controller's caId) -> PEM
# file of that CA in the request's bundle.
declare -A BUNDLE_CAS=()

# Splits and indexes the request's ca-bundle.pem; fails bad_certificate like split_ca_bundle.
index_ca_bundle() {
  local pem id
  split_ca_bundle "${IN}/ca-bundle.pem"
  for pem in "${WORK}"/ca/*.pem; do
    id="$(cert_fingerprint "$pem")"
    BUNDLE_CAS[${id:0:16}]=$pem
  done
}

# Imports every CA of the indexed bundle with trust CT,, and removes our CAs that left the bundle
# (and their CRLs); keeps a copy of the bundle so the config verbs skip an unchanged one.
install_ca_bundle() {
  local id nick listing line
  declare -A wanted=()
  for id in "${!BUNDLE_CAS[@]}"; do wanted[${CA_PREFIX}${id}]=${BUNDLE_CAS[$id]}; done
  for nick in "${!wanted[@]}"; do
    if nss_has_cert "$nick"; then
      quiet certutil -M -d "sql:${NSS_DIR}" -n "$nick" -t 'CT,,' || fail nss_failed "could not set trust on CA ${nick}"
    else
      quiet certutil -A -d "sql:${NSS_DIR}" -n "$nick" -t 'CT,,' -i "${wanted[$nick]}" || fail nss_failed "could not import CA ${nick}"
    fi
  done
  listing="$(certutil -L -d "sql:${NSS_DIR}")" || fail nss_failed "could not list the NSS database"
  while IFS= read -r line; do
    nick=${line%% *}
    [[ $nick == "${CA_PREFIX}"* ]] || continue
    [ -n "${wanted[$nick]:-}" ] && continue
    log "removing CA ${nick}: no longer in the bundle"
    remove_crl "${nick#"$CA_PREFIX"}"
    quiet certutil -D -d "sql:${NSS_DIR}" -n "$nick" || fail nss_failed "could not remove CA ${nick}"
  done <<<"$listing"
  # NSS may file a CA under an existing nickname when subjects collide; make sure each is there.
  for nick in "${!wanted[@]}"; do
    nss_has_cert "$nick" || quiet certutil -A -d "sql:${NSS_DIR}" -n "$nick" -t 'CT,,' -i "${wanted[$nick]}" \
      || fail nss_failed "CA ${nick} is missing after the import"
  done
  cp "${IN}/ca-bundle.pem" "${STATE_DIR}/ca-bundle.pem"
}

# Whether two text files hold the same bytes; builtins only (our text files hold no NUL byte).
same_text() {
  local a="" b=""
  [ -f "$1" ] && [ -f "$2" ] || return 1
  IFS= read -r -d '' a <"$1" || true
  IFS= read -r -d '' b <"$2" || true
  [ "$a" = "$b" ]
}

# The config verbs' CA trust: the bundle is imported when it differs from the one last imported,
# or always with $1 = always (install repairs).
sync_ca_bundle() {
  has_file ca-bundle.pem || return 0
  if [ "$1" != always ] && same_text "${IN}/ca-bundle.pem" "${STATE_DIR}/ca-bundle.pem"; then return 0; fi
  [ "${#BUNDLE_CAS[@]}" -gt 0 ] || index_ca_bundle
  install_ca_bundle
}

# ---------------------------------------------------------------------------------------------
# CRLs (file crl/<caId>.crl, DER): each mesh CA's revocation list, loaded into NSS, where pluto
# checks every peer certificate against it. NSS keeps one CRL per CA. A CA whose CRL the request
# does not carry keeps the one it has: a missing CRL never un-revokes a certificate.

readonly RE_CRL_PATH='^crl/([0-9a-f]{16})\.crl$'
# CA ids whose CRL differs from the one last loaded (set by check_crl_inputs).
declare -a CRLS_CHANGED=()

# Checks every CRL of the request before anything changes on the host: named after a CA of the
# bundle and signed by it (an unchanged CRL, already checked when it was loaded, costs no process).
check_crl_inputs() {
  local file path id stored
  [ -d "${IN}/crl" ] || return 0
  has_file ca-bundle.pem || bad_request_verb "file ca-bundle.pem is required with a CRL"
  require_openssl
  [ "${#BUNDLE_CAS[@]}" -gt 0 ] || index_ca_bundle
  for file in "${IN}"/crl/*; do
    path=${file#"${IN}/"}
    if ! [[ $path =~ $RE_CRL_PATH ]] || [ ! -f "$file" ]; then bad_request_verb "${path} is not a crl/<CA id>.crl file"; fi
    id=${BASH_REMATCH[1]}
    [ -n "${BUNDLE_CAS[$id]:-}" ] || fail bad_certificate "${path}: CA ${id} is not in the CA bundle"
    stored=""
    if [ -f "${STATE_DIR}/crls/${id}.b64" ]; then IFS= read -r stored <"${STATE_DIR}/crls/${id}.b64" || true; fi
    [ "$stored" = "${FILE_B64[$path]}" ] && continue
    # openssl exits 0 on a bad signature too: only its "verify OK" says the signature holds.
    [[ "$(openssl crl -inform DER -in "$file" -CAfile "${BUNDLE_CAS[$id]}" -noout 2>&1)" == *"verify OK"* ]] \
      || fail bad_certificate "${path} is not a DER CRL signed by CA ${id} of the bundle"
    CRLS_CHANGED+=("$id")
  done
}

# Loads the changed CRLs into NSS. pluto needs no signal (and 4.x has no safe one): NSS looks for
# a new or replaced CRL in the database at least once a minute; whack --listcrls shows it at once.
install_crls() {
  local id file
  [ "${#CRLS_CHANGED[@]}" -gt 0 ] || return 0
  mkdir -p "${STATE_DIR}/crls"
  for id in "${CRLS_CHANGED[@]}"; do
    file="${IN}/crl/${id}.crl"
    # The signature was checked against the bundle's CA; -B spares NSS a second check.
    if ! quiet crlutil -I -i "$file" -t 1 -B -d "sql:${NSS_DIR}"; then
      # NSS refuses a CRL older than the one it holds; the controller's copy is authoritative.
      log "replacing the CRL of CA ${id}"
      quiet crlutil -D -n "${CA_PREFIX}${id}" -d "sql:${NSS_DIR}" || true
      if ! quiet crlutil -I -i "$file" -t 1 -B -d "sql:${NSS_DIR}"; then
        restore_crl "$id"
        fail nss_failed "could not load the CRL of CA ${id}"
      fi
    fi
    printf '%s\n' "${FILE_B64[crl/${id}.crl]}" >"${STATE_DIR}/crls/${id}.b64"
    log "CRL of CA ${id} loaded"
  done
}

# Puts back the CRL of CA $1 that was loaded before (its copy in the state directory), if any.
restore_crl() {
  [ -f "${STATE_DIR}/crls/$1.b64" ] || return 0
  if ! { base64 -d <"${STATE_DIR}/crls/$1.b64" >"${WORK}/previous.crl" 2>/dev/null &&
    quiet crlutil -I -i "${WORK}/previous.crl" -t 1 -B -d "sql:${NSS_DIR}"; }; then
    log "could not put back the previous CRL of CA $1"
  fi
}

# Deletes the CRL of CA $1 that we loaded (the CA must still be in NSS: NSS finds CRLs by issuer).
remove_crl() {
  [ -f "${STATE_DIR}/crls/$1.b64" ] || return 0
  quiet crlutil -D -n "${CA_PREFIX}$1" -d "sql:${NSS_DIR}" || log "could not delete the CRL of CA $1"
  rm -f "${STATE_DIR}/crls/$1.b64"
}

# Sets OLD_CKAID to the key of the host certificate being replaced (empty when none).
OLD_CKAID=""

remember_old_host_cert() {
  OLD_CKAID=""
  rm -f "${WORK}/old-host.pem"
  if nss_has_cert "$HOST_NICK"; then
    nss_cert_pem "$HOST_NICK" >"${WORK}/old-host.pem" || fail nss_failed "could not read the current host certificate"
    OLD_CKAID="$(ckaid_of x509 "${WORK}/old-host.pem")" || OLD_CKAID=""
  fi
}

remove_host_certs() {
  local tries=0
  while nss_has_cert "$HOST_NICK"; do
    tries=$((tries + 1))
    [ "$tries" -le 10 ] || return 1
    quiet certutil -D -d "sql:${NSS_DIR}" -n "$HOST_NICK" || return 1
  done
}

restore_old_host_cert() {
  if [ -s "${WORK}/old-host.pem" ]; then
    quiet certutil -A -d "sql:${NSS_DIR}" -n "$HOST_NICK" -t ',,' -i "${WORK}/old-host.pem" || log "could not restore the previous host certificate"
  fi
}

# Deletes keys this agent made (csr) or the replaced certificate used, except the current one.
delete_superseded_keys() {
  local keep=$1 ckaid file
  mkdir -p "${STATE_DIR}/keys"
  for file in "${STATE_DIR}"/keys/*; do
    [ -f "$file" ] || continue
    ckaid=${file##*/}
    [ "$ckaid" = "$keep" ] && continue
    if nss_has_key "$ckaid"; then
      log "deleting superseded key ${ckaid}"
      quiet certutil -F -d "sql:${NSS_DIR}" -f "$(nss_password_file)" -k "$ckaid" || log "could not delete key ${ckaid}"
    fi
    rm -f "$file"
  done
  if [ -n "$OLD_CKAID" ] && [ "$OLD_CKAID" != "$keep" ] && nss_has_key "$OLD_CKAID"; then
    log "deleting the replaced certificate's key ${OLD_CKAID}"
    quiet certutil -F -d "sql:${NSS_DIR}" -f "$(nss_password_file)" -k "$OLD_CKAID" || log "could not delete key ${OLD_CKAID}"
  fi
  rm -f "${STATE_DIR}/keys/${keep}"
}

# Makes pluto present the host certificate now in NSS.
present_new_cert() {
  local had_cert=$1 major
  if ! pluto_running; then
    log "pluto is not running; it will load the certificate when it starts"
    return 0
  fi
  major="$(libreswan_major)"
  if [ "$had_cert" = true ] && [ "${major:-0}" -ge 5 ]; then
    quiet pluto_whack --rereadcerts || fail nss_failed "pluto could not reread the certificates"
  else
    # libreswan 4.x: --rereadcerts crashes pluto when instance conns exist, so reload the conns
    # (a restart would also do, but the kernel policies are flushed while pluto starts).
    reload_conns
  fi
}

# ---------------------------------------------------------------------------------------------
# Config

require_config_inputs() {
  local hash file
  hash="$(param configHash)"
  [ -n "$hash" ] || bad_request_verb "param configHash is required"
  has_file config/ipsec-mesh.conf || bad_request_verb "file config/ipsec-mesh.conf is required"
  if [ -d "${IN}/config" ]; then
    while IFS= read -r -d '' file; do
      file=${file#"${IN}/"}
      case $file in
        config/ipsec-mesh.conf) ;;
        config/policies/private | config/policies/clear | config/policies/private-or-clear) ;;
        config/policies/clear-or-private | config/policies/block) ;;
        *) bad_request_verb "unknown config file ${file}" ;;
      esac
    done < <(find "${IN}/config" -type f -print0)
  fi
}

bad_request_verb() { fail bad_request "$1"; }

readonly RE_CIDR4='^([0-9]{1,3}\.){3}[0-9]{1,3}/[0-9]{1,2}$'
readonly RE_CIDR6='^[0-9a-fA-F:.]+/[0-9]{1,3}$'

check_policy_file() {
  local group=$1 file=$2 line number=0 entry
  while IFS= read -r line || [ -n "$line" ]; do
    number=$((number + 1))
    entry=${line%%#*}
    entry=${entry//[[:space:]]/}
    [ -z "$entry" ] && continue
    [[ $entry =~ $RE_CIDR4 || $entry =~ $RE_CIDR6 ]] || fail config_failed "policies/${group}:${number}: not a CIDR"
    if [ "$group" = clear ] && { [ "$entry" = 0.0.0.0/0 ] || [ "$entry" = ::/0 ]; }; then
      fail config_failed "policies/${group}:${number}: ${entry} must never be clear"
    fi
  done <"$file"
}

own_addresses() {
  local out line
  if have ip && out="$(ip -o addr show scope global 2>/dev/null)"; then
    while IFS= read -r line; do
      if [[ $line =~ inet\ ([0-9.]+)/ ]]; then printf '%s/32\n' "${BASH_REMATCH[1]}"; fi
      if [[ $line =~ inet6\ ([0-9a-fA-F:]+)/ ]]; then printf '%s/128\n' "${BASH_REMATCH[1]}"; fi
    done <<<"$out"
  fi
}

# Writes a file atomically with the given mode.
write_file() {
  local target=$1 source=$2 mode=$3
  mkdir -p "${target%/*}"
  cp "$source" "${target}.ipsec-mesh-new"
  chmod "$mode" "${target}.ipsec-mesh-new"
  mv -f "${target}.ipsec-mesh-new" "$target"
}

# Writes $2 to $1 (mode $3) unless $1 already holds the same text; sets CONFIG_CHANGED when it writes.
# The marker goes first: if this verb fails before the reload, the next one still reloads.
write_if_changed() {
  same_text "$1" "$2" && return 0
  rm -f "${STATE_DIR}/conns-loaded"
  write_file "$1" "$2" "$3"
  CONFIG_CHANGED=true
}

backup_stock_policies() {
  local group
  [ -f "${STATE_DIR}/policies-backup/.done" ] && return 0
  mkdir -p "${STATE_DIR}/policies-backup"
  for group in "${POLICY_GROUPS[@]}"; do
    if [ -f "${IPSECD_DIR}/policies/${group}" ]; then
      cp -p "${IPSECD_DIR}/policies/${group}" "${STATE_DIR}/policies-backup/${group}"
    fi
  done
  : >"${STATE_DIR}/policies-backup/.done"
}

apply_config_files() {
  local group source staged address
  for group in "${POLICY_GROUPS[@]}"; do
    source="${IN}/config/policies/${group}"
    if [ -f "$source" ]; then check_policy_file "$group" "$source"; fi
  done
  backup_stock_policies
  mkdir -p "${WORK}/staged"
  for group in "${POLICY_GROUPS[@]}"; do
    source="${IN}/config/policies/${group}"
    staged="${WORK}/staged/${group}"
    if [ -f "$source" ]; then cp "$source" "$staged"; else : >"$staged"; fi
    if [ "$group" = clear ]; then
      {
        printf '\n# Added by the ipsec-mesh agent: this host'\''s own addresses and the instance metadata service.\n'
        own_addresses
        for address in "${METADATA_ADDRESSES[@]}"; do printf '%s\n' "$address"; done
      } >>"$staged"
    fi
  done
  mkdir -p "${IPSECD_DIR}/policies"
  for group in "${POLICY_GROUPS[@]}"; do
    write_if_changed "${IPSECD_DIR}/policies/${group}" "${WORK}/staged/${group}" 0644
  done
  split_template "${IN}/config/ipsec-mesh.conf"
  write_if_changed "${IPSECD_DIR}/ipsec-mesh.conf" "${WORK}/conns" 0644
  apply_setup_options "${WORK}/setup"
  printf '%s\n' "$(param configHash)" >"${STATE_DIR}/config-hash"
  log "config $(param configHash) written to ${IPSECD_DIR}"
}

# pluto reads `config setup` only from ipsec.conf (one in an included file is silently ignored),
# so the template's `config setup` options go there, between these markers, and the rest of the
# template goes to ipsec.d. Nothing outside the markers is changed.
readonly SETUP_BEGIN="# BEGIN ipsec-mesh: written by the ipsec-mesh agent from the mesh policy; edit that instead"
readonly SETUP_END="# END ipsec-mesh"

# Splits the template $1 into ${WORK}/setup (its config setup options) and ${WORK}/conns (the rest).
split_template() {
  local line option section=conns
  : >"${WORK}/setup"
  : >"${WORK}/conns"
  while IFS= read -r line || [ -n "$line" ]; do
    if [[ $line =~ ^config[[:space:]]+setup[[:space:]]*(#.*)?$ ]]; then
      section=setup
      continue
    fi
    [[ $line =~ ^[^[:space:]#] ]] && section=conns
    if [ "$section" = conns ]; then
      printf '%s\n' "$line" >>"${WORK}/conns"
    elif [[ $line =~ ^[[:space:]]+([^[:space:]#][^#]*) ]]; then
      option=${BASH_REMATCH[1]}
      printf '\t%s\n' "${option%"${option##*[![:space:]]}"}" >>"${WORK}/setup"
    fi
  done <"$1"
}

# Prints the managed block holding the options of file $1; nothing when it is empty.
setup_block() {
  [ -s "$1" ] || return 0
  printf '\t%s\n' "$SETUP_BEGIN"
  cat "$1"
  printf '\t%s\n' "$SETUP_END"
}

# Prints ipsec.conf with the managed block replaced by the options of file $1.
render_ipsec_conf() {
  local options=$1 line trimmed in_block=false placed=false
  if [ ! -f "$IPSEC_CONF" ] || ! grep -Eq '^config[[:space:]]+setup' "$IPSEC_CONF"; then
    printf 'config setup\n'
    setup_block "$options"
    placed=true
    [ -f "$IPSEC_CONF" ] || { printf 'include %s/*.conf\n' "$IPSECD_DIR"; return 0; }
  fi
  while IFS= read -r line || [ -n "$line" ]; do
    trimmed=${line#"${line%%[![:space:]]*}"}
    if [ "$trimmed" = "$SETUP_BEGIN" ]; then in_block=true; continue; fi
    if [ "$in_block" = true ]; then
      [ "$trimmed" = "$SETUP_END" ] && in_block=false
      continue
    fi
    printf '%s\n' "$line"
    if [ "$placed" = false ] && [[ $line =~ ^config[[:space:]]+setup ]]; then
      setup_block "$options"
      placed=true
    fi
  done <"$IPSEC_CONF"
  # A begin marker without its end would swallow the rest of the file, includes and all.
  [ "$in_block" = false ] || fail config_failed "${IPSEC_CONF} has '${SETUP_BEGIN}' without '${SETUP_END}'; fix it by hand"
}

# Writes the managed block of ipsec.conf from the options of file $1 and sets SETUP_CHANGED when
# the file changed (pluto reads these options only when it starts). Written in place, not by
# rename: ipsec.conf is the package's file and may be a bind mount.
apply_setup_options() {
  [ -s "$1" ] || [ -f "$IPSEC_CONF" ] || return 0
  render_ipsec_conf "$1" >"${WORK}/ipsec.conf"
  if same_text "${WORK}/ipsec.conf" "$IPSEC_CONF"; then return 0; fi
  # Remembered until pluto has restarted, in case this verb fails before it does.
  : >"${STATE_DIR}/setup-pending"
  cat "${WORK}/ipsec.conf" >"$IPSEC_CONF" || fail config_failed "could not write ${IPSEC_CONF}"
  chmod 0644 "$IPSEC_CONF"
  SETUP_CHANGED=true
  log "config setup options in ${IPSEC_CONF} updated"
}

# Conns to (re)load: all groups once the host has its certificate, else only those needing none.
conns_to_load() {
  if nss_ready && nss_has_cert "$HOST_NICK"; then
    printf '%s\n' "${POLICY_GROUPS[@]}"
  else
    printf '%s\n' "${CERTLESS_CONNS[@]}"
  fi
}

# Between deleting the conns and routing them again the kernel holds none of pluto's policies,
# and traffic to `private` peers would leave (and be accepted) in clear. Meanwhile block
# policies at the lowest precedence cover those networks, with allow policies for the `clear`
# group (this host's own addresses, metadata); as in libreswan the longer prefix wins, and
# allow wins between equal prefixes. pluto's policies take precedence over all of them once
# they are back. Left in place if the reload fails: `private` means encrypted or nothing, and
# the next reload or uninstall removes them.
readonly GUARD_PRIORITY_BASE=4000000000
readonly GUARD_PRIORITY_SPAN=258

# Prints the `ip -batch` lines of one guard policy pair (outbound and inbound).
guard_policy() {
  local network=$1 action=$2 priority any=0.0.0.0/0
  [[ $network == *:* ]] && any=::/0
  priority=$((GUARD_PRIORITY_BASE + (128 - ${network##*/}) * 2))
  [ "$action" = allow ] || priority=$((priority + 1))
  printf 'xfrm policy update src %s dst %s dir out action %s priority %s\n' "$any" "$network" "$action" "$priority"
  printf 'xfrm policy update src %s dst %s dir in action %s priority %s\n' "$network" "$any" "$action" "$priority"
}

policy_networks() {
  local line
  [ -f "${IPSECD_DIR}/policies/$1" ] || return 0
  while IFS= read -r line || [ -n "$line" ]; do
    line=${line%%#*}
    line=${line//[[:space:]]/}
    [ -z "$line" ] || printf '%s\n' "$line"
  done <"${IPSECD_DIR}/policies/$1"
}

# One `ip` process for all of them: process creation is what a reload waits on in slow guests.
guard_private_networks() {
  local network private
  private="$(policy_networks private)"
  [ -n "$private" ] && have ip || return 0
  {
    while IFS= read -r network; do
      [ -z "$network" ] || guard_policy "$network" allow
    done <<<"$(policy_networks clear)"
    while IFS= read -r network; do
      guard_policy "$network" block
    done <<<"$private"
  } >"${WORK}/guard.batch"
  quiet ip -force -batch "${WORK}/guard.batch" || log "some reload guard policies could not be added; see the agent log"
}

# One deleteall per priority in use (deleteall inside `ip -batch` left the policies in place).
remove_reload_guard() {
  local line priority listing
  declare -A seen=()
  have ip || return 0
  listing="$(ip xfrm policy list 2>/dev/null)" || return 0
  while IFS= read -r line; do
    [[ $line =~ priority\ ([0-9]+) ]] || continue
    priority=${BASH_REMATCH[1]}
    if ((priority >= GUARD_PRIORITY_BASE && priority < GUARD_PRIORITY_BASE + GUARD_PRIORITY_SPAN)) && [ -z "${seen[$priority]:-}" ]; then
      seen[$priority]=1
      quiet ip xfrm policy deleteall priority "$priority" || log "could not remove the reload guard's policies at priority ${priority}"
    fi
  done <<<"$listing"
}

# Leaves ${STATE_DIR}/conns-loaded when every conn loaded: a config verb that changes no file
# then has nothing to reload (a reload drops every SA).
reload_conns() {
  local conn conns routed
  rm -f "${STATE_DIR}/conns-loaded"
  conns="$(conns_to_load)"
  guard_private_networks
  for conn in "${POLICY_GROUPS[@]}"; do
    pluto_whack --delete --name "$conn" >/dev/null 2>&1 || true
  done
  while IFS= read -r conn; do
    quiet ipsec_tool addconn --config "$IPSEC_CONF" --ctlsocket "$CTL_SOCKET" "$conn" \
      || fail config_failed "libreswan rejected conn ${conn}; see the agent log"
  done <<<"$conns"
  # addconn NAME only adds: an auto=ondemand group must also be routed, or none of its
  # instances installs a kernel policy and traffic flows in clear.
  routed=" $(ipsec_tool addconn --config "$IPSEC_CONF" --listroute 2>/dev/null | tr -s '[:space:]' ' ') "
  while IFS= read -r conn; do
    [[ $routed == *" ${conn} "* ]] || continue
    quiet pluto_whack --route --name "$conn" || fail config_failed "pluto could not route conn ${conn}"
  done <<<"$conns"
  quiet pluto_whack --listen || fail config_failed "pluto could not reload the policy groups"
  remove_reload_guard
  : >"${STATE_DIR}/conns-loaded"
}

# ---------------------------------------------------------------------------------------------
# Packages and service

package_manager() {
  if have dnf; then echo dnf
  elif have yum; then echo yum
  elif have apt-get; then echo apt-get
  fi
}

# Installs packages through the distribution's package manager, which verifies signatures.
install_packages() {
  local manager=$1
  shift
  case $manager in
    dnf | yum) quiet "$manager" -y install "$@" ;;
    apt-get)
      quiet env DEBIAN_FRONTEND=noninteractive apt-get update -q &&
        quiet env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" ;;
    *) return 1 ;;
  esac
}

ensure_packages() {
  local manager missing=()
  have ipsec || missing+=(libreswan)
  have openssl || missing+=(openssl)
  have flock || missing+=(util-linux)
  [ "${#missing[@]}" -eq 0 ] && return 0
  manager="$(package_manager)"
  [ -n "$manager" ] || fail unsupported_os "no dnf, yum or apt-get to install ${missing[*]}"
  if [ "$manager" = apt-get ] && ! have certutil; then missing+=(libnss3-tools); fi
  if [ "$manager" != apt-get ] && ! have certutil; then missing+=(nss-tools); fi
  log "installing ${missing[*]} with ${manager}"
  install_packages "$manager" "${missing[@]}" || fail install_failed "${manager} could not install ${missing[*]}"
  if [[ " ${missing[*]} " == *" libreswan "* ]]; then printf '%s\n' "$manager" >"${STATE_DIR}/package-installed-by"; fi
  have ipsec || fail install_failed "libreswan is still missing after ${manager} install"
}

ensure_nss_db() {
  detect_nss_dir
  nss_ready && return 0
  log "initialising the NSS database at ${NSS_DIR}"
  if ! { mkdir -p "$NSS_DIR" && chmod 0700 "$NSS_DIR"; }; then
    fail nss_failed "could not create the NSS database directory ${NSS_DIR}"
  fi
  quiet certutil -N -d "sql:${NSS_DIR}" --empty-password || fail nss_failed "could not initialise the NSS database at ${NSS_DIR}"
  if have restorecon; then quiet restorecon -R "$NSS_DIR" || true; fi
}

start_pluto_directly() {
  local pid waited=0
  if [ -f "${RUN_DIR}/pluto.pid" ]; then
    read -r pid <"${RUN_DIR}/pluto.pid" || pid=""
    if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then rm -f "${RUN_DIR}/pluto.pid" "$CTL_SOCKET"; fi
  fi
  if [ -x /usr/libexec/ipsec/_stackmanager ]; then quiet /usr/libexec/ipsec/_stackmanager start || true; fi
  # _stackmanager flushes every xfrm policy when pluto is down, the reload guard's too.
  guard_private_networks
  mkdir -p "$RUN_DIR"
  # The daemon must not inherit our lock (fd 9) or our output pipes.
  "$PLUTO_BIN" --config "$IPSEC_CONF" --nssdir "$NSS_DIR" --ipsecdir "$IPSECD_DIR" --rundir "$RUN_DIR" \
    --logfile "$PLUTO_LOG" </dev/null >/dev/null 2>>"${STATE_DIR}/pluto-start.err" 9>&- \
    || fail install_failed "pluto did not start; see ${STATE_DIR}/pluto-start.err and ${PLUTO_LOG}"
  until pluto_running; do
    waited=$((waited + 1))
    [ "$waited" -le 50 ] || fail install_failed "pluto did not open its control socket; see ${PLUTO_LOG}"
    sleep 0.2
  done
  # pluto clears the kernel's policies as it starts, the guard's among them.
  guard_private_networks
}

start_service() {
  if use_systemd; then
    quiet systemctl enable ipsec.service || fail install_failed "systemctl could not enable ipsec"
    quiet systemctl start ipsec.service || fail install_failed "systemctl could not start ipsec"
  else
    start_pluto_directly
  fi
  : >"${STATE_DIR}/service-started-by-agent"
  reload_conns
}

# Restarts a running pluto behind the reload guard; the caller reloads the conns.
restart_pluto() {
  log "restarting pluto: $1"
  guard_private_networks
  if use_systemd; then
    # The unit flushes every xfrm policy when it stops and before pluto starts: guard again at once.
    quiet systemctl restart ipsec.service || fail install_failed "systemctl could not restart ipsec"
    guard_private_networks
  else
    stop_service
    start_pluto_directly
  fi
}

# Makes pluto use the written config: a restart when its config setup options changed (now or
# in a verb that failed before restarting), else a reload of the conns (or a start).
# With $1 = if-changed (apply-config), a running pluto whose conns loaded from the files now
# written keeps them (and its SAs): a CRL or CA bundle update alone reloads nothing. install
# always reloads, which is how a todo repairs a host.
load_config() {
  if [ -f "${STATE_DIR}/setup-pending" ]; then
    SETUP_CHANGED=true
    if pluto_running; then restart_pluto "its config setup options changed"; fi
  fi
  if ! pluto_running; then
    start_service
  elif [ "${1:-always}" = if-changed ] && [ "$SETUP_CHANGED" = false ] && [ "$CONFIG_CHANGED" = false ] \
    && [ -f "${STATE_DIR}/conns-loaded" ]; then
    log "conns unchanged; pluto keeps them"
  else
    reload_conns
  fi
  rm -f "${STATE_DIR}/setup-pending"
}

stop_service() {
  local waited=0
  if use_systemd; then
    quiet systemctl disable --now ipsec.service || log "systemctl could not stop ipsec"
  elif pluto_running; then
    quiet pluto_whack --shutdown || log "pluto did not accept the shutdown"
  fi
  while pluto_running; do
    waited=$((waited + 1))
    [ "$waited" -le 50 ] || { log "pluto is still running after the shutdown"; return 0; }
    sleep 0.2
  done
}

# ---------------------------------------------------------------------------------------------
# Verbs

verb_install() {
  require_config_inputs
  ensure_packages
  ensure_nss_db
  check_crl_inputs
  apply_config_files
  sync_ca_bundle always
  install_crls
  : >"${STATE_DIR}/installed"
  load_config always
  succeed "\"libreswan\":$(json_string "$(libreswan_version)"),\"configHash\":$(json_string "$(param configHash)")"
}

verb_apply_config() {
  require_config_inputs
  if [ ! -f "${STATE_DIR}/installed" ] || ! have ipsec; then
    fail not_running "the mesh is not installed on this host; run install"
  fi
  ensure_nss_db
  check_crl_inputs
  apply_config_files
  sync_ca_bundle if-changed
  install_crls
  load_config if-changed
  succeed "\"configHash\":$(json_string "$(param configHash)")"
}

verb_csr() {
  local key_type ckaid
  key_type="$(param keyType)"
  key_type=${key_type:-ec}
  local -a key_args
  case $key_type in
    rsa) key_args=(-k rsa -g 2048) ;;
    ec) key_args=(-k ec -q nistp256) ;;
    *) bad_request_verb "param keyType must be rsa or ec" ;;
  esac
  require_nss
  require_openssl
  head -c 2048 /dev/urandom >"${WORK}/noise"
  quiet certutil -R -d "sql:${NSS_DIR}" -f "$(nss_password_file)" -z "${WORK}/noise" -s "$CSR_SUBJECT" \
    "${key_args[@]}" -o "${WORK}/csr.der" || fail nss_failed "certutil could not make a key and request"
  openssl req -inform DER -in "${WORK}/csr.der" -out "${WORK}/csr.pem" 2>/dev/null || fail nss_failed "certutil wrote an unreadable request"
  ckaid="$(ckaid_of req "${WORK}/csr.pem")" || fail internal "could not compute the new key's id"
  mkdir -p "${STATE_DIR}/keys"
  : >"${STATE_DIR}/keys/${ckaid}"
  log "new ${key_type} key ${ckaid} in ${NSS_DIR}"
  succeed "\"csr\":$(json_string "$(base64 -w0 "${WORK}/csr.der")")"
}

verb_install_cert() {
  local cert="${IN}/host.crt" ckaid had_cert=false unchanged=false
  has_file host.crt || bad_request_verb "file host.crt is required"
  has_file ca-bundle.pem || bad_request_verb "file ca-bundle.pem is required"
  require_nss
  require_openssl
  openssl x509 -in "$cert" -noout 2>/dev/null || fail bad_certificate "host.crt is not a PEM certificate"
  index_ca_bundle
  openssl verify -CAfile "${IN}/ca-bundle.pem" "$cert" >/dev/null 2>&1 \
    || fail bad_certificate "host.crt is not valid under the CA bundle"
  ckaid="$(ckaid_of x509 "$cert")" || fail bad_certificate "could not read the certificate's public key"
  nss_has_key "$ckaid" || fail no_matching_key "no key in the NSS database matches the certificate"
  remember_old_host_cert
  [ -s "${WORK}/old-host.pem" ] && had_cert=true
  if [ "$had_cert" = true ] && [ "$(cert_fingerprint "${WORK}/old-host.pem")" = "$(cert_fingerprint "$cert")" ]; then
    log "host certificate already installed"
    unchanged=true
  else
    remove_host_certs || { restore_old_host_cert; fail nss_failed "could not remove the previous host certificate"; }
    if ! quiet certutil -A -d "sql:${NSS_DIR}" -n "$HOST_NICK" -t ',,' -i "$cert"; then
      restore_old_host_cert
      fail nss_failed "could not import the host certificate; the previous one is kept"
    fi
  fi
  install_ca_bundle
  delete_superseded_keys "$ckaid"
  [ "$unchanged" = true ] || present_new_cert "$had_cert"
  succeed "\"serial\":$(json_string "$(cert_serial "$cert")"),\"notAfter\":$(json_string "$(cert_not_after "$cert")")"
}

imds_get() {
  local path=$1
  curl -fsS --max-time 5 -H "@${WORK}/imds-header" "${IMDS_URL}${path}"
}

# Prints the string value of a top-level field of the instance identity document (flat JSON).
identity_field() {
  local name=$1 document=$2 pattern
  pattern="\"${name}\"[[:space:]]*:[[:space:]]*\"([^\"]*)\""
  [[ $document =~ $pattern ]] || return 1
  printf '%s' "${BASH_REMATCH[1]}"
}

# The partition from the region's name, for an IMDS without meta-data/services/partition.
partition_of_region() {
  case $1 in
    cn-*) printf 'aws-cn' ;;
    us-gov-*) printf 'aws-us-gov' ;;
    *) printf 'aws' ;;
  esac
}

verb_install_p12() {
  local instance_id region account partition document context token nick listing line cert="${WORK}/p12-host.crt" ckaid had_cert=false unchanged=false
  has_file host.p12 || bad_request_verb "file host.p12 is required"
  has_file p12-password.kms || bad_request_verb "file p12-password.kms is required"
  has_file ca-bundle.pem || bad_request_verb "file ca-bundle.pem is required"
  require_nss
  require_openssl
  have "$AWS_CLI" || fail kms_failed "the aws CLI is not installed"
  have curl || fail kms_failed "curl is not installed"
  # IMDSv2 only: a session token first (in a header file, never in argv), then the identity document it lets us read.
  token="$(curl -fsS --max-time 5 -X PUT --data-binary '' -H 'X-aws-ec2-metadata-token-ttl-seconds: 60' \
    "${IMDS_URL}/latest/api/token")" \
    || fail kms_failed "no IMDSv2 token from the instance metadata service"
  printf 'X-aws-ec2-metadata-token: %s\n' "$token" >"${WORK}/imds-header"
  document="$(imds_get /latest/dynamic/instance-identity/document)" || fail kms_failed "could not read the instance identity document"
  instance_id="$(identity_field instanceId "$document")" || fail kms_failed "the identity document has no instanceId"
  region="$(identity_field region "$document")" || fail kms_failed "the identity document has no region"
  account="$(identity_field accountId "$document")" || fail kms_failed "the identity document has no accountId"
  partition="$(imds_get /latest/meta-data/services/partition 2>/dev/null)" || partition="$(partition_of_region "$region")"
  [[ $instance_id =~ ^i-[0-9a-f]+$ ]] || fail kms_failed "the metadata service returned an odd instance id"
  [[ $region =~ ^[a-z]{2,}(-[a-z]+)+-[0-9]+$ ]] || fail kms_failed "the metadata service returned an odd region"
  [[ $account =~ ^[0-9]{12}$ ]] || fail kms_failed "the metadata service returned an odd account id"
  [[ $partition =~ ^aws(-[a-z]+)*$ ]] || fail kms_failed "the metadata service returned an odd partition"
  # The context the controller encrypted under: the host key's policy checks InstanceArn against
  # ec2:SourceInstanceARN and allows no other key. Every value was checked above, so this JSON is well formed.
  context="{\"InstanceId\":\"${instance_id}\",\"InstanceArn\":\"arn:${partition}:ec2:${region}:${account}:instance/${instance_id}\"}"
  install -d -m 0700 "${WORK}/secret"
  "$AWS_CLI" kms decrypt --region "$region" --ciphertext-blob "fileb://${IN}/p12-password.kms" \
    --encryption-context "$context" --query Plaintext --output text \
    >"${WORK}/secret/password.b64" 2>"${WORK}/kms.err" || {
    log "aws kms decrypt: $(head -c 300 "${WORK}/kms.err")"
    fail kms_failed "KMS refused to decrypt the PKCS#12 password"
  }
  base64 -d "${WORK}/secret/password.b64" >"${WORK}/secret/password" 2>/dev/null || fail kms_failed "KMS returned an unreadable password"
  rm -f "${WORK}/secret/password.b64"
  openssl pkcs12 -in "${IN}/host.p12" -passin "file:${WORK}/secret/password" -nokeys -clcerts -out "$cert" 2>/dev/null \
    || fail bad_certificate "host.p12 does not open with its password"
  index_ca_bundle
  ckaid="$(ckaid_of x509 "$cert")" || fail bad_certificate "could not read the certificate's public key"
  remember_old_host_cert
  [ -s "${WORK}/old-host.pem" ] && had_cert=true
  if [ "$had_cert" = true ] && [ "$(cert_fingerprint "${WORK}/old-host.pem")" = "$(cert_fingerprint "$cert")" ]; then
    log "host certificate already installed"
    unchanged=true
  else
    remove_host_certs || { restore_old_host_cert; fail nss_failed "could not remove the previous host certificate"; }
    if ! quiet pk12util -i "${IN}/host.p12" -d "sql:${NSS_DIR}" -w "${WORK}/secret/password" -k "$(nss_password_file)"; then
      restore_old_host_cert
      fail nss_failed "could not import host.p12; the previous certificate is kept"
    fi
    # pk12util files the certificate under the PKCS#12 friendly name; give it ours.
    listing="$(certutil -K -d "sql:${NSS_DIR}" -f "$(nss_password_file)" 2>/dev/null)" || listing=""
    nick=""
    while IFS= read -r line; do
      if [[ $line == *" ${ckaid} "* ]]; then
        nick=${line#*"${ckaid}"}
        nick=${nick#"${nick%%[![:space:]]*}"}
        nick=${nick#NSS Certificate DB:}
      fi
    done <<<"$listing"
    if [ -n "$nick" ] && [ "$nick" != "$HOST_NICK" ]; then
      quiet certutil --rename -d "sql:${NSS_DIR}" -n "$nick" --new-n "$HOST_NICK" || fail nss_failed "could not rename the imported certificate"
    fi
    nss_has_cert "$HOST_NICK" || { restore_old_host_cert; fail nss_failed "the imported certificate is not under ${HOST_NICK}"; }
  fi
  rm -rf "${WORK}/secret"
  install_ca_bundle
  delete_superseded_keys "$ckaid"
  [ "$unchanged" = true ] || present_new_cert "$had_cert"
  succeed "\"serial\":$(json_string "$(cert_serial "$cert")"),\"notAfter\":$(json_string "$(cert_not_after "$cert")")"
}

# Prints the value of a `key=value` line of whack --globalstatus, 0 when absent.
stat_value() {
  local key=$1 text=$2 line
  while IFS= read -r line; do
    if [ "${line%%=*}" = "$key" ]; then printf '%s' "${line#*=}"; return 0; fi
  done <<<"$text"
  printf '0'
}

xfrm_value() {
  local key=$1 name value
  if [ -r "$XFRM_STAT" ]; then
    while read -r name value; do
      if [ "$name" = "$key" ]; then printf '%s' "$value"; return 0; fi
    done <"$XFRM_STAT"
  fi
  printf '0'
}

verb_status() {
  local running=false global="" shunts="" line failed=0 failing=0 negotiating=0
  local serial=null not_after=null hash=null ike_failures
  if pluto_running; then
    running=true
    global="$(pluto_whack --globalstatus 2>/dev/null)" || global=""
    shunts="$(pluto_whack --shuntstatus 2>/dev/null)" || shunts=""
  fi
  while IFS= read -r line; do
    case $line in
      *oe-failed*) failed=$((failed + 1)) ;;
      *oe-failing*) failing=$((failing + 1)) ;;
      *negotiat*) negotiating=$((negotiating + 1)) ;;
    esac
  done <<<"$shunts"
  if [ -f "${STATE_DIR}/config-hash" ]; then
    read -r hash <"${STATE_DIR}/config-hash" || hash=""
    hash="$(json_string "$hash")"
  fi
  detect_nss_dir
  if have certutil && have openssl && nss_ready && nss_cert_pem "$HOST_NICK" >"${WORK}/status-host.pem"; then
    serial="$(json_string "$(cert_serial "${WORK}/status-host.pem")")"
    not_after="$(json_string "$(cert_not_after "${WORK}/status-host.pem")")"
  fi
  ike_failures=$(($(stat_value total.ike.ikev2.failed "$global") + $(stat_value total.ike.ikev1.failed "$global")))
  local fields
  fields="\"running\":${running},\"libreswan\":$(json_string "$(libreswan_version)"),\"configHash\":${hash}"
  fields+=",\"certSerial\":${serial},\"certNotAfter\":${not_after}"
  fields+=",\"ipsecSAs\":$(stat_value current.states.ipsec "$global"),\"ikeSAs\":$(stat_value current.states.ike "$global")"
  fields+=",\"ikeFailures\":${ike_failures}"
  fields+=",\"shunts\":{\"oeFailed\":${failed},\"oeFailing\":${failing},\"negotiating\":${negotiating}}"
  fields+=",\"xfrm\":{\"inError\":$(xfrm_value XfrmInError),\"inNoStates\":$(xfrm_value XfrmInNoStates)"
  fields+=",\"inTmplMismatch\":$(xfrm_value XfrmInTmplMismatch),\"outNoStates\":$(xfrm_value XfrmOutNoStates)"
  fields+=",\"outPolBlock\":$(xfrm_value XfrmOutPolBlock)}"
  succeed "$fields"
}

remove_our_nss_entries() {
  local listing line nick file
  detect_nss_dir
  if ! have certutil || ! nss_ready; then return 0; fi
  if nss_has_cert "$HOST_NICK"; then
    quiet certutil -F -d "sql:${NSS_DIR}" -f "$(nss_password_file)" -n "$HOST_NICK" || true
    remove_host_certs || fail nss_failed "could not remove the host certificate"
  fi
  for file in "${STATE_DIR}"/keys/*; do
    [ -f "$file" ] || continue
    if nss_has_key "${file##*/}"; then
      quiet certutil -F -d "sql:${NSS_DIR}" -f "$(nss_password_file)" -k "${file##*/}" || fail nss_failed "could not delete a key of ours"
    fi
    rm -f "$file"
  done
  for file in "${STATE_DIR}"/crls/*.b64; do
    [ -f "$file" ] || continue
    file=${file##*/}
    remove_crl "${file%.b64}"
  done
  listing="$(certutil -L -d "sql:${NSS_DIR}")" || fail nss_failed "could not list the NSS database"
  while IFS= read -r line; do
    nick=${line%% *}
    [[ $nick == "${CA_PREFIX}"* ]] || continue
    quiet certutil -D -d "sql:${NSS_DIR}" -n "$nick" || fail nss_failed "could not remove CA ${nick}"
  done <<<"$listing"
}

restore_stock_policies() {
  local group
  rm -f "${IPSECD_DIR}/ipsec-mesh.conf"
  : >"${WORK}/no-setup"
  apply_setup_options "${WORK}/no-setup"
  [ -f "${STATE_DIR}/policies-backup/.done" ] || return 0
  for group in "${POLICY_GROUPS[@]}"; do
    if [ -f "${STATE_DIR}/policies-backup/${group}" ]; then
      cp -p "${STATE_DIR}/policies-backup/${group}" "${IPSECD_DIR}/policies/${group}"
    else
      rm -f "${IPSECD_DIR}/policies/${group}"
    fi
  done
  rm -rf "${STATE_DIR}/policies-backup"
}

verb_uninstall() {
  local manager=""
  if [ -f "${STATE_DIR}/service-started-by-agent" ] || [ -f "${STATE_DIR}/package-installed-by" ]; then
    stop_service
  elif pluto_running; then
    # Someone else's libreswan: only take our conns out of it.
    local conn
    for conn in "${POLICY_GROUPS[@]}"; do pluto_whack --delete --name "$conn" >/dev/null 2>&1 || true; done
  fi
  restore_stock_policies
  # A reload that failed earlier may have left its guard: nothing of ours stays in the kernel.
  remove_reload_guard
  if pluto_running; then quiet pluto_whack --listen || true; fi
  remove_our_nss_entries
  if [ -f "${STATE_DIR}/package-installed-by" ]; then
    read -r manager <"${STATE_DIR}/package-installed-by" || manager=""
    log "removing libreswan, which the agent installed with ${manager}"
    case $manager in
      dnf | yum) quiet "$manager" -y remove libreswan || fail install_failed "${manager} could not remove libreswan" ;;
      apt-get) quiet env DEBIAN_FRONTEND=noninteractive apt-get remove -y -q libreswan || fail install_failed "apt-get could not remove libreswan" ;;
    esac
  fi
  rm -f "${STATE_DIR}/installed" "${STATE_DIR}/config-hash" "${STATE_DIR}/service-started-by-agent" "${STATE_DIR}/package-installed-by"
  rm -f "${STATE_DIR}/conns-loaded" "${STATE_DIR}/ca-bundle.pem" "${STATE_DIR}/setup-pending"
  rm -rf "${STATE_DIR}/keys" "${STATE_DIR}/crls"
  succeed ""
}

# ---------------------------------------------------------------------------------------------
# Main

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

main "$@"
