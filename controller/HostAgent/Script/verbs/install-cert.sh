# Verb install-cert: the host certificate signed for a key made by csr.
# shellcheck shell=bash

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
