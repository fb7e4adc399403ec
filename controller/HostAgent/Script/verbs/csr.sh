# Verb csr: a new key in NSS and its certificate request.
# shellcheck shell=bash

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
