# The CA bundle: split, indexed by CA id, imported into NSS and kept in sync with the request's.
# shellcheck shell=bash

# Splits the PEM bundle $1 into $2/N.pem; fails bad_certificate when a block is not a certificate.
split_ca_bundle() {
  local line n=0 in_block=false dir=$2
  mkdir -p "$dir"
  while IFS= read -r line || [ -n "$line" ]; do
    line=${line%$'\r'}
    if [ "$line" = "-----BEGIN CERTIFICATE-----" ]; then
      n=$((n + 1)); in_block=true
      printf '%s\n' "$line" >"${dir}/${n}.pem"
    elif [ "$in_block" = true ]; then
      printf '%s\n' "$line" >>"${dir}/${n}.pem"
      [ "$line" = "-----END CERTIFICATE-----" ] && in_block=false
    fi
  done <"$1"
  [ "$n" -gt 0 ] || fail bad_certificate "the CA bundle holds no certificate"
  local pem
  for pem in "${dir}"/*.pem; do
    openssl x509 -in "$pem" -noout 2>/dev/null || fail bad_certificate "the CA bundle holds a block that is not a certificate"
  done
}

# CA id (the first 16 hex digits of the certificate's SHA-256, as the controller's caId) -> PEM
# file of that CA in the request's bundle.
declare -A BUNDLE_CAS=()

# Splits and indexes the bundle $1 (the request's ca-bundle.pem by default) into BUNDLE_CAS;
# fails bad_certificate like split_ca_bundle.
index_ca_bundle() {
  local pem id bundle=${1:-${IN}/ca-bundle.pem} dir=${2:-${WORK}/ca}
  BUNDLE_CAS=()
  split_ca_bundle "$bundle" "$dir"
  for pem in "${dir}"/*.pem; do
    id="$(cert_fingerprint "$pem")"
    BUNDLE_CAS[${id:0:16}]=$pem
  done
}

# Imports every CA of the indexed bundle $1 (the request's by default) with trust CT,, and removes
# our CAs that left the bundle; keeps a copy of the bundle so the config verbs skip an unchanged
# one. A CA added is trusted by a running pluto at once (refresh_trusted_cas). A CA removed stays
# trusted by the running pluto until it restarts (pluto keeps the CA it loaded, whatever NSS
# holds; docs/pki.md): its CRL stays in NSS meanwhile (deleting it would un-revoke that CA's
# certificates in pluto), and the removal is noted as pending (note_ca_removal).
install_ca_bundle() {
  local id nick listing line bundle=${1:-${IN}/ca-bundle.pem} text added=false
  declare -A wanted=()
  for id in "${!BUNDLE_CAS[@]}"; do wanted[${CA_PREFIX}${id}]=${BUNDLE_CAS[$id]}; done
  for nick in "${!wanted[@]}"; do
    if nss_has_cert "$nick"; then
      quiet certutil -M -d "sql:${NSS_DIR}" -n "$nick" -t 'CT,,' || fail nss_failed "could not set trust on CA ${nick}"
    else
      quiet certutil -A -d "sql:${NSS_DIR}" -n "$nick" -t 'CT,,' -i "${wanted[$nick]}" || fail nss_failed "could not import CA ${nick}"
      added=true
    fi
  done
  listing="$(certutil -L -d "sql:${NSS_DIR}")" || fail nss_failed "could not list the NSS database"
  while IFS= read -r line; do
    nick=${line%% *}
    [[ $nick == "${CA_PREFIX}"* ]] || continue
    [ -n "${wanted[$nick]:-}" ] && continue
    log "removing CA ${nick}: no longer in the bundle (its CRL stays)"
    quiet certutil -D -d "sql:${NSS_DIR}" -n "$nick" || fail nss_failed "could not remove CA ${nick}"
    note_ca_removal "${nick#"$CA_PREFIX"}"
  done <<<"$listing"
  # NSS may file a CA under an existing nickname when subjects collide; make sure each is there.
  for nick in "${!wanted[@]}"; do
    nss_has_cert "$nick" || quiet certutil -A -d "sql:${NSS_DIR}" -n "$nick" -t 'CT,,' -i "${wanted[$nick]}" \
      || fail nss_failed "CA ${nick} is missing after the import"
  done
  read_text text "$bundle"
  write_atomic "${STATE_DIR}/ca-bundle.pem" "$text"
  if [ "$added" = true ]; then refresh_trusted_cas; fi
}

# The config verbs' CA trust: the bundle is imported when it differs from the one last imported,
# or always with $1 = always (install repairs).
# The config verbs check the request's bundle before anything changes (when it is to be imported).
check_ca_bundle_input() {
  has_file ca-bundle.pem || return 0
  if [ "$1" != always ] && same_text "${IN}/ca-bundle.pem" "${STATE_DIR}/ca-bundle.pem"; then return 0; fi
  if [ "${#BUNDLE_CAS[@]}" -eq 0 ]; then index_ca_bundle; fi
}

# A failure after this puts the previous bundle back (restore_previous_ca_bundle).
sync_ca_bundle() {
  has_file ca-bundle.pem || return 0
  if [ "$1" != always ] && same_text "${IN}/ca-bundle.pem" "${STATE_DIR}/ca-bundle.pem"; then return 0; fi
  [ "${#BUNDLE_CAS[@]}" -gt 0 ] || index_ca_bundle
  if [ -f "${STATE_DIR}/ca-bundle.pem" ]; then cp "${STATE_DIR}/ca-bundle.pem" "${WORK}/previous-ca-bundle.pem"; fi
  CA_TOUCHED=true
  install_ca_bundle
}

# rollback_config's step for the CA trust: the bundle imported before this verb, imported again
# (its CAs trusted, ours that it does not hold removed); nothing when there was none.
restore_previous_ca_bundle() {
  [ -f "${WORK}/previous-ca-bundle.pem" ] || return 0
  index_ca_bundle "${WORK}/previous-ca-bundle.pem" "${WORK}/previous-ca"
  install_ca_bundle "${WORK}/previous-ca-bundle.pem"
  log "the previous CA bundle is back"
}
