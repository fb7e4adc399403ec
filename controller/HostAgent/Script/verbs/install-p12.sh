# Verb install-p12: the host certificate and key from a PKCS#12 whose password KMS decrypts.
# shellcheck shell=bash

verb_install_p12() {
  local instance_id region account partition document context token cert="${WORK}/p12-host.crt" ckaid
  has_file host.p12 || bad_request_verb "file host.p12 is required"
  has_file p12-password.kms || bad_request_verb "file p12-password.kms is required"
  has_file ca-bundle.pem || bad_request_verb "file ca-bundle.pem is required"
  require_peers_input
  require_nss
  assert_kernel_settings
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
  install_host_cert "$cert" "$ckaid" import_host_p12 "$ckaid"
}

# import_host_p12 MODE NICK CKAID: imports host.p12, certificate and key (whose id is CKAID). In
# place (the previous certificate removed), files the certificate under NICK; beside the previous
# one, leaves it where pk12util put it (under the nickname NSS has for its subject: the previous
# certificate's), for file_new_cert_beside.
import_host_p12() {
  local target=$2 ckaid=$3 nick listing line
  IMPORT_ERROR="could not import host.p12"
  quiet pk12util -i "${IN}/host.p12" -d "sql:${NSS_DIR}" -w "${WORK}/secret/password" -k "$(nss_password_file)" || return 1
  [ "$1" = in-place ] || return 0
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
  if [ -n "$nick" ] && [ "$nick" != "$target" ]; then
    IMPORT_ERROR="could not rename the imported certificate"
    quiet certutil --rename -d "sql:${NSS_DIR}" -n "$nick" --new-n "$target" || return 1
  fi
  IMPORT_ERROR="the imported certificate is not under ${target}"
  nss_has_cert "$target"
}
