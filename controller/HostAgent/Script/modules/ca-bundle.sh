# The CA bundle: split, indexed by CA id, imported into NSS and kept in sync with the request's.
# shellcheck shell=bash

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

# The config verbs' CA trust: the bundle is imported when it differs from the one last imported,
# or always with $1 = always (install repairs).
sync_ca_bundle() {
  has_file ca-bundle.pem || return 0
  if [ "$1" != always ] && same_text "${IN}/ca-bundle.pem" "${STATE_DIR}/ca-bundle.pem"; then return 0; fi
  [ "${#BUNDLE_CAS[@]}" -gt 0 ] || index_ca_bundle
  install_ca_bundle
}
