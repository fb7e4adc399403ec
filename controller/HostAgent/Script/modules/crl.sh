# CRLs: checked against the CA bundle, loaded into NSS, put back and removed.
# shellcheck shell=bash

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
    write_atomic "${STATE_DIR}/crls/${id}.b64" "${FILE_B64[crl/${id}.crl]}"$'\n'
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
