# The NSS database: its creation, keys and the host certificate, and removing everything of ours.
# shellcheck shell=bash

# Why the NSS database cannot be used as it is ("" when it can, or when there is none yet): one
# of its two files is missing, or certutil cannot open it (a truncated or damaged cert9.db or
# key4.db makes it fail with SEC_ERROR_BAD_DATABASE).
nss_damage() {
  local out
  if [ -f "${NSS_DIR}/cert9.db" ] && [ ! -f "${NSS_DIR}/key4.db" ]; then printf 'key4.db is missing'; return 0; fi
  if [ ! -f "${NSS_DIR}/cert9.db" ] && [ -f "${NSS_DIR}/key4.db" ]; then printf 'cert9.db is missing'; return 0; fi
  nss_ready || return 0
  if ! out="$(certutil -L -d "sql:${NSS_DIR}" 2>&1 >/dev/null)"; then
    out=${out//$'\n'/ }
    printf 'certutil -L cannot open it: %s' "${out:0:160}"
  fi
}

# Makes sure the NSS database exists and opens. A missing one is created. A damaged one is, with
# $1 = repair (install), moved aside to ${STATE_DIR}/nss-damaged and created anew: the host then
# has no key and no certificate, which install reports (nssReinitialised) until it succeeds, and
# pluto, which still has the old files open, is restarted. Without repair (apply-config) a damaged
# database fails the verb before anything changes.
ensure_nss_db() {
  local damage
  detect_nss_dir
  have certutil || fail nss_failed "certutil (NSS tools) is not installed"
  damage="$(nss_damage)"
  if [ -n "$damage" ]; then
    [ "${1:-}" = repair ] || fail nss_failed "the NSS database at ${NSS_DIR} is damaged (${damage}); install re-creates it"
    log "the NSS database at ${NSS_DIR} is damaged (${damage}): moving it to ${STATE_DIR}/nss-damaged and creating a new one"
    if [ -e "${STATE_DIR}/nss-damaged" ]; then rm -rf "${STATE_DIR}/nss-damaged"; fi
    mkdir -p "${STATE_DIR}/nss-damaged"
    local file
    for file in cert9.db key4.db pkcs11.txt; do
      if [ -e "${NSS_DIR}/${file}" ]; then mv -f "${NSS_DIR}/${file}" "${STATE_DIR}/nss-damaged/"; fi
    done
    # Reported by install until it succeeds; keys made by csr and CRLs loaded went with the old files.
    : >"${STATE_DIR}/nss-reinitialised"
    rm -rf "${STATE_DIR}/keys" "${STATE_DIR}/crls" "${STATE_DIR}/ca-bundle.pem"
  fi
  nss_ready && return 0
  log "initialising the NSS database at ${NSS_DIR}"
  if ! { mkdir -p "$NSS_DIR" && chmod 0700 "$NSS_DIR"; }; then
    fail nss_failed "could not create the NSS database directory ${NSS_DIR}"
  fi
  quiet certutil -N -d "sql:${NSS_DIR}" --empty-password || fail nss_failed "could not initialise the NSS database at ${NSS_DIR}"
  if have restorecon; then quiet restorecon -R "$NSS_DIR" || true; fi
}

nss_password_file() {
  # libreswan's database has an empty password; certutil still wants a password file.
  [ -f "${WORK}/nss-password" ] || : >"${WORK}/nss-password"
  printf '%s' "${WORK}/nss-password"
}

nss_has_key() {
  local listing
  listing="$(certutil -K -d "sql:${NSS_DIR}" -f "$(nss_password_file)" 2>/dev/null)" || return 1
  [[ $listing == *" $1 "* || $listing == *" $1"$'\n'* || $listing == *" $1" ]]
}

nss_has_cert() { certutil -L -d "sql:${NSS_DIR}" -n "$1" >/dev/null 2>&1; }

nss_cert_pem() { certutil -L -d "sql:${NSS_DIR}" -n "$1" -a 2>/dev/null; }

# Sets OLD_CKAID to the key of the host certificate being replaced (empty when none), the one
# under nickname $1, and keeps it in ${WORK}/old-host.pem. (certutil -L -n prints every
# certificate of the nickname's subject, newest first: the caller removes a stale one first.)
OLD_CKAID=""

remember_old_host_cert() {
  OLD_CKAID=""
  rm -f "${WORK}/old-host.pem"
  if nss_has_cert "$1"; then
    nss_cert_pem "$1" >"${WORK}/old-host.pem" || fail nss_failed "could not read the current host certificate"
    OLD_CKAID="$(ckaid_of x509 "${WORK}/old-host.pem")" || OLD_CKAID=""
  fi
}

# Deletes every certificate under nickname $1 (their keys stay).
remove_host_certs() {
  local tries=0
  while nss_has_cert "$1"; do
    tries=$((tries + 1))
    [ "$tries" -le 10 ] || return 1
    quiet certutil -D -d "sql:${NSS_DIR}" -n "$1" || return 1
  done
}

# Puts the certificate remember_old_host_cert kept back under nickname $1.
restore_old_host_cert() {
  if [ -s "${WORK}/old-host.pem" ]; then
    quiet certutil -A -d "sql:${NSS_DIR}" -n "$1" -t ',,' -i "${WORK}/old-host.pem" || log "could not restore the previous host certificate"
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

remove_our_nss_entries() {
  local listing line nick file damage set
  detect_nss_dir
  if ! have certutil || ! nss_ready; then return 0; fi
  damage="$(nss_damage)"
  if [ -n "$damage" ]; then
    log "the NSS database at ${NSS_DIR} is damaged (${damage}): nothing of ours can be taken out of it"
    return 0
  fi
  for set in "${CONN_SETS[@]}"; do
    set_nick nick "$set"
    if nss_has_cert "$nick"; then
      quiet certutil -F -d "sql:${NSS_DIR}" -f "$(nss_password_file)" -n "$nick" || true
      remove_host_certs "$nick" || fail nss_failed "could not remove the host certificate ${nick}"
    fi
  done
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
