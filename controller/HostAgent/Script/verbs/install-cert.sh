# Verb install-cert: the host certificate signed for a key made by csr.
# shellcheck shell=bash

verb_install_cert() {
  local cert="${IN}/host.crt" ckaid
  has_file host.crt || bad_request_verb "file host.crt is required"
  has_file ca-bundle.pem || bad_request_verb "file ca-bundle.pem is required"
  require_peers_input
  require_nss
  assert_kernel_settings
  require_openssl
  openssl x509 -in "$cert" -noout 2>/dev/null || fail bad_certificate "host.crt is not a PEM certificate"
  index_ca_bundle
  openssl verify -CAfile "${IN}/ca-bundle.pem" "$cert" >/dev/null 2>&1 \
    || fail bad_certificate "host.crt is not valid under the CA bundle"
  ckaid="$(ckaid_of x509 "$cert")" || fail bad_certificate "could not read the certificate's public key"
  nss_has_key "$ckaid" || fail no_matching_key "no key in the NSS database matches the certificate"
  install_host_cert "$cert" "$ckaid" import_host_crt "$cert"
}

# import_host_crt MODE NICK CERT: imports the certificate CERT alone under NICK (its key is already
# in NSS, made by csr); MODE does not matter, certutil files it under the nickname it is given.
import_host_crt() {
  IMPORT_ERROR="could not import the host certificate"
  quiet certutil -A -d "sql:${NSS_DIR}" -n "$2" -t ',,' -i "$3"
}
