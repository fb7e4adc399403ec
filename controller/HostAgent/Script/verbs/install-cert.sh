# Verb install-cert: the host certificate signed for a key made by csr.
# shellcheck shell=bash

# A batch (file host-certs) holds many hosts' certificates, `<instance-id> <base64 PEM>` a line;
# this host takes the line of its own instance id and no other (not_in_batch when there is none).
readonly RE_BATCH_LINE='^(i-[0-9a-f]{8,17}) ([A-Za-z0-9+/]+={0,2})$'
readonly BATCH_MAX=50

verb_install_cert() {
  local cert="${IN}/host.crt" ckaid
  if ! has_file host.crt && has_file host-certs; then
    cert="${WORK}/batch-host.crt"
    take_batch_cert "$cert"
  fi
  [ -f "$cert" ] || bad_request_verb "file host.crt or host-certs is required"
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

# take_batch_cert OUT: writes this instance's certificate from the batch to OUT. Every line is
# checked (an instance id, base64), at most BATCH_MAX lines, an instance id at most once.
take_batch_cert() {
  local out=$1 self line number=0 count=0 entry="" id
  local -A seen=()
  self="$(own_instance_id)" || fail not_in_batch "could not learn this instance's id (AWS_SSM_INSTANCE_ID unset and no IMDSv2 instance-id)"
  while IFS= read -r line || [ -n "$line" ]; do
    number=$((number + 1))
    [ -n "$line" ] || continue
    [[ $line =~ $RE_BATCH_LINE ]] || bad_request_verb "file host-certs line ${number}: not '<instance-id> <base64 certificate>'"
    id=${BASH_REMATCH[1]}
    [ -z "${seen[$id]:-}" ] || bad_request_verb "file host-certs line ${number}: ${id} a second time"
    seen[$id]=1
    count=$((count + 1))
    [ "$count" -le "$BATCH_MAX" ] || bad_request_verb "file host-certs holds more than ${BATCH_MAX} certificates"
    if [ "$id" = "$self" ]; then entry=${BASH_REMATCH[2]}; fi
  done <"${IN}/host-certs"
  [ -n "$entry" ] || fail not_in_batch "the certificate batch has no entry for ${self}"
  printf '%s' "$entry" | base64 -d >"$out" 2>/dev/null || bad_request_verb "file host-certs: the entry for ${self} is not base64"
}

# import_host_crt MODE NICK CERT: imports the certificate CERT alone under NICK (its key is already
# in NSS, made by csr); MODE does not matter, certutil files it under the nickname it is given.
import_host_crt() {
  IMPORT_ERROR="could not import the host certificate"
  quiet certutil -A -d "sql:${NSS_DIR}" -n "$2" -t ',,' -i "$3"
}
