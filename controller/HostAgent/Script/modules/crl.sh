# CRLs: checked against the CA bundle and the CRL held, loaded into NSS with their file URL, put in force in pluto at once.
# shellcheck shell=bash

# CRLs (file crl/<caId>.crl, DER): each mesh CA's revocation list, loaded into NSS, where pluto
# checks every peer certificate against it. NSS keeps one CRL per CA. A CA whose CRL the request
# does not carry keeps the one it has: a missing CRL never un-revokes a certificate.
#
# Each CRL held is also a file, crls/<caId>.crl in the state directory, replaced by a rename and
# never older than the CRL NSS holds: NSS stores it with that file's URL, and pluto re-reads every
# CRL that has a URL when `ipsec whack --impair trigger:CHECK_CRLS` runs its periodic CRL check at
# once (it needs crlcheckinterval > 0 in config setup). That check also refreshes NSS's CRL cache
# in pluto, which would otherwise go on using the old CRL for up to a minute (docs/pki.md).

readonly RE_CRL_PATH='^crl/([0-9a-f]{16})\.crl$'
readonly CRL_DIR="${STATE_DIR}/crls"
# CA ids whose CRL differs from the one held (set by check_crl_inputs).
declare -a CRLS_CHANGED=()
# Facts of each changed CRL (by CA id): CRL number, thisUpdate (YYYYMMDDhhmmss UTC), revoked serials.
declare -A CRL_NUMBER=() CRL_UPDATE=() CRL_SERIALS=()
# Serials (lower-case hex, no leading zero) that a changed CRL revokes and the CRL held before did not.
declare -A CRL_NEWLY_REVOKED=()
# How the changed CRLs were put in force in pluto: none (no CRL changed), trigger (CHECK_CRLS
# confirmed each one), restart (pluto started or restarted in this run, reading them as it started).
CRL_REFRESH=none

# Facts of the CRL last parsed by parse_crl_text.
PARSED_NUMBER=""
PARSED_UPDATE=""
PARSED_SERIALS=""

# Serial $1 as the controller writes it: lower-case hex without leading zeros.
normal_serial() {
  local serial=${1,,}
  while [ "${#serial}" -gt 1 ] && [ "${serial:0:1}" = 0 ]; do serial=${serial:1}; done
  printf '%s' "$serial"
}

# Parses `openssl crl -text` output $1 into PARSED_NUMBER (decimal, or 0x… hex when openssl prints
# it so; "" without one), PARSED_UPDATE (thisUpdate as YYYYMMDDhhmmss) and PARSED_SERIALS (" a b ").
parse_crl_text() {
  local line next_is_number=false month
  PARSED_NUMBER=""
  PARSED_UPDATE=""
  PARSED_SERIALS=" "
  while IFS= read -r line; do
    line=${line#"${line%%[![:space:]]*}"}
    if [ "$next_is_number" = true ]; then
      PARSED_NUMBER=${line,,}
      next_is_number=false
    elif [[ $line == "X509v3 CRL Number:"* ]]; then
      next_is_number=true
    elif [[ $line =~ ^Last\ Update:\ ([A-Z][a-z]{2})\ +([0-9]{1,2})\ ([0-9]{2}):([0-9]{2}):([0-9]{2})\ ([0-9]{4}) ]]; then
      month=" Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec "
      month=${month%%" ${BASH_REMATCH[1]} "*}
      month=$(((${#month} + 4) / 4))
      printf -v PARSED_UPDATE '%s%02d%02d%s%s%s' "${BASH_REMATCH[6]}" "$month" "$((10#${BASH_REMATCH[2]}))" \
        "${BASH_REMATCH[3]}" "${BASH_REMATCH[4]}" "${BASH_REMATCH[5]}"
    elif [[ $line =~ ^Serial\ Number:\ ([0-9A-Fa-f]+)$ ]]; then
      PARSED_SERIALS+="$(normal_serial "${BASH_REMATCH[1]}") "
    fi
  done <<<"$1"
}

# Whether CRL number $1 is lower than $2 (openssl prints small numbers in decimal, big ones as 0x…
# hex; a missing number counts as the lowest).
crl_number_lower() {
  local a=${1#0x} b=${2#0x} a_hex=false b_hex=false
  [ "$a" = "$1" ] || a_hex=true
  [ "$b" = "$2" ] || b_hex=true
  [ -n "$b" ] || return 1
  [ -n "$a" ] || return 0
  if [ "$a_hex" != "$b_hex" ]; then [ "$b_hex" = true ]; return; fi
  a=$(normal_serial "$a")
  b=$(normal_serial "$b")
  if [ "${#a}" -ne "${#b}" ]; then [ "${#a}" -lt "${#b}" ]; return; fi
  [[ $a < $b ]]
}

# The CRL this host holds for CA $1, into PARSED_*; fails (status 1) when it holds none. Kept in
# crls/<caId>.facts; a host whose CRL was loaded by an earlier agent version (only its .b64) has
# it parsed once.
held_crl_facts() {
  local facts="${CRL_DIR}/$1.facts" out
  if [ -f "$facts" ]; then
    { IFS= read -r PARSED_NUMBER; IFS= read -r PARSED_UPDATE; IFS= read -r PARSED_SERIALS; } <"$facts" || true
    return 0
  fi
  [ -f "${CRL_DIR}/$1.b64" ] || return 1
  base64 -d <"${CRL_DIR}/$1.b64" >"${WORK}/held.crl" 2>/dev/null || return 1
  out="$(openssl crl -inform DER -in "${WORK}/held.crl" -noout -text 2>/dev/null)" || return 1
  parse_crl_text "$out"
}

# Checks every CRL of the request before anything changes on the host: named after a CA of the
# bundle, signed by it, and not older than the CRL held (a lower CRL number, an older thisUpdate,
# or the same number with other contents is refused: the host keeps its CRL). An unchanged CRL,
# already checked when it was loaded, costs no process. Notes which serials each changed CRL
# newly revokes.
check_crl_inputs() {
  local file path id stored out number update serials serial held_serials
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
    if [ -f "${CRL_DIR}/${id}.b64" ]; then IFS= read -r stored <"${CRL_DIR}/${id}.b64" || true; fi
    [ "$stored" = "${FILE_B64[$path]}" ] && continue
    # One openssl for the signature and the contents. It exits 0 on a bad signature too: only its
    # "verify OK" says the signature holds.
    out="$(openssl crl -inform DER -in "$file" -CAfile "${BUNDLE_CAS[$id]}" -noout -text 2>&1)" || out=""
    [[ $out == *"verify OK"* ]] || fail bad_certificate "${path} is not a DER CRL signed by CA ${id} of the bundle"
    parse_crl_text "$out"
    number=$PARSED_NUMBER update=$PARSED_UPDATE serials=$PARSED_SERIALS
    held_serials=" "
    if held_crl_facts "$id"; then
      held_serials=$PARSED_SERIALS
      if crl_number_lower "$number" "$PARSED_NUMBER"; then
        fail bad_certificate "${path} has CRL number ${number:-none}, lower than the number ${PARSED_NUMBER} of the CRL this host holds; the host keeps its CRL"
      fi
      if [[ $update < $PARSED_UPDATE ]]; then
        fail bad_certificate "${path} was issued at ${update} (thisUpdate), before the CRL this host holds (${PARSED_UPDATE}); the host keeps its CRL"
      fi
      if [ "$number" = "$PARSED_NUMBER" ] && ! cmp -s "$file" "${CRL_DIR}/${id}.crl"; then
        fail bad_certificate "${path} has the CRL number ${number:-none} of the CRL this host holds, with other contents; the host keeps its CRL"
      fi
    fi
    CRLS_CHANGED+=("$id")
    CRL_NUMBER[$id]=$number
    CRL_UPDATE[$id]=$update
    CRL_SERIALS[$id]=$serials
    for serial in $serials; do
      [[ $held_serials == *" ${serial} "* ]] || CRL_NEWLY_REVOKED[$serial]=1
    done
  done
}

# Loads the changed CRLs into NSS: the file replaced by a rename, then imported with its URL.
# NSS refuses a CRL whose thisUpdate is not later than the one it holds (it ignores the CRL
# number); a CRL checked newer in number (two CRLs issued within one second) then replaces it by
# delete and import. pluto is made to use them by enforce_crls.
install_crls() {
  local id file
  [ "${#CRLS_CHANGED[@]}" -gt 0 ] || return 0
  mkdir -p "$CRL_DIR"
  for id in "${CRLS_CHANGED[@]}"; do
    file="${CRL_DIR}/${id}.crl"
    if [ -f "$file" ]; then cp -p "$file" "${WORK}/previous-${id}.crl"; fi
    cp "${IN}/crl/${id}.crl" "${CRL_DIR}/.${id}.crl.new"
    mv -f "${CRL_DIR}/.${id}.crl.new" "$file"
    # The signature was checked against the bundle's CA; -B spares NSS a second check.
    if ! quiet crlutil -I -i "$file" -t 1 -B -u "file://${file}" -d "sql:${NSS_DIR}"; then
      log "NSS refused the CRL of CA ${id} over the one it holds (thisUpdate not later); replacing it"
      quiet crlutil -D -n "${CA_PREFIX}${id}" -d "sql:${NSS_DIR}" || true
      if ! quiet crlutil -I -i "$file" -t 1 -B -u "file://${file}" -d "sql:${NSS_DIR}"; then
        restore_crl "$id"
        fail nss_failed "could not load the CRL of CA ${id}"
      fi
    fi
    log "CRL ${CRL_NUMBER[$id]:-(no number)} of CA ${id} loaded"
  done
}

# Records the changed CRLs as held, once they are in force and their revoked peers cut: a run
# killed before this loads them again on the next run (NSS takes an identical CRL quietly), puts
# them in force and cuts the same peers. The copy first: a run killed between the two finds the
# CRL unchanged and compares the next one with the facts of an older CRL (it then tears down a
# few peers too many, never too few).
record_crls() {
  local id
  for id in "${CRLS_CHANGED[@]}"; do
    write_atomic "${CRL_DIR}/${id}.b64" "${FILE_B64[crl/${id}.crl]}"$'\n'
    write_atomic "${CRL_DIR}/${id}.facts" "${CRL_NUMBER[$id]}"$'\n'"${CRL_UPDATE[$id]}"$'\n'"${CRL_SERIALS[$id]}"$'\n'
  done
}

# Puts back the CRL of CA $1 that was held before (its file and its copy in the state directory), if any.
restore_crl() {
  local file="${CRL_DIR}/$1.crl"
  if [ -f "${WORK}/previous-$1.crl" ]; then
    mv -f "${WORK}/previous-$1.crl" "$file"
  elif [ -f "${CRL_DIR}/$1.b64" ]; then
    if base64 -d <"${CRL_DIR}/$1.b64" >"${CRL_DIR}/.$1.crl.new" 2>/dev/null; then mv -f "${CRL_DIR}/.$1.crl.new" "$file"; fi
  else
    rm -f "$file"
    return 0
  fi
  quiet crlutil -I -i "$file" -t 1 -B -u "file://${file}" -d "sql:${NSS_DIR}" || log "could not put back the previous CRL of CA $1"
}

# Deletes the CRL of CA $1 that we loaded (the CA must still be in NSS: NSS finds CRLs by issuer).
remove_crl() {
  [ -f "${CRL_DIR}/$1.b64" ] || return 0
  quiet crlutil -D -n "${CA_PREFIX}$1" -d "sql:${NSS_DIR}" || log "could not delete the CRL of CA $1"
  rm -f "${CRL_DIR}/$1.b64" "${CRL_DIR}/$1.crl" "${CRL_DIR}/$1.facts"
}

# Makes pluto use the changed CRLs now, after the config is loaded. A pluto (re)started in this run
# read them as it started. Otherwise `whack --impair trigger:CHECK_CRLS` runs pluto's CRL check at
# once: whack returns once pluto has re-read every CRL with a URL, printing
#   imported CRL for '<CA DN>' from: file://<file>
# for each; its exit code says nothing (it is 0 with crlcheckinterval unset, when nothing happens).
# A changed CRL without its line: pluto is restarted behind the reload guard (every SA goes).
enforce_crls() {
  local id out rc=0 missing=""
  [ "${#CRLS_CHANGED[@]}" -gt 0 ] || return 0
  if [ "$PLUTO_RESTARTED" = true ] || ! pluto_running; then
    CRL_REFRESH=restart
    return 0
  fi
  out="$(pluto_whack --impair trigger:CHECK_CRLS 2>&1)" || rc=$?
  for id in "${CRLS_CHANGED[@]}"; do
    [[ $out == *"imported CRL for '"*"' from: file://${CRL_DIR}/${id}.crl"* ]] || missing+=" ${id}"
  done
  if [ -z "$missing" ]; then
    CRL_REFRESH=trigger
    log "pluto re-read the CRLs (whack --impair trigger:CHECK_CRLS)"
    return 0
  fi
  if [ -n "$out" ]; then
    local line
    while IFS= read -r line; do log "  whack --impair trigger:CHECK_CRLS: ${line}"; done <<<"$out"
  fi
  restart_pluto "pluto did not confirm the new CRL of CA${missing} (whack exited ${rc}); a restart reads it"
  reload_conns
  CRL_REFRESH=restart
}
