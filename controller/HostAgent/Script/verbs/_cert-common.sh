# The end install-cert and install-p12 share: the host certificate replaced, then the CAs, keys and pluto.
# shellcheck shell=bash

# install_host_cert CERT CKAID IMPORT [ARGS...]: CERT (checked by the verb, its key CKAID) becomes
# the host certificate; `IMPORT MODE NICK [ARGS...]` puts it into NSS (MODE in-place: under NICK;
# beside: next to the current one, where NSS files it). Unless it already is the host certificate:
# - libreswan 4.x, pluto running the conns of set S with the previous certificate, a new key: CERT
#   goes in beside the previous one under the other set's nickname, the conns switch to that set
#   without a teardown (switch_conn_set), then the previous certificate goes;
# - otherwise (5.x, pluto down, the first certificate, conns not loaded, the same key): in place,
#   the previous certificate removed first (and put back if the import fails), then pluto rereads
#   the certificates (5.x) or reloads the conns.
# Then the bundle's CAs are installed, the keys CERT superseded deleted, and the verb succeeds
# with CERT's serial and notAfter.
IMPORT_ERROR=""
install_host_cert() {
  local cert=$1 ckaid=$2 import=$3 had_cert=false mode=in-place set nick target target_nick major
  shift 3
  recover_conn_set
  conn_set_of set
  set_nick nick "$set"
  remove_stale_certs "$nick"
  remember_old_host_cert "$nick"
  [ -s "${WORK}/old-host.pem" ] && had_cert=true
  if [ "$had_cert" = true ] && [ "$(cert_fingerprint "${WORK}/old-host.pem")" = "$(cert_fingerprint "$cert")" ]; then
    log "host certificate already installed"
    mode=unchanged
  elif [ "$had_cert" = true ] && [[ $set == "~a" || $set == "~b" ]] && [ -f "${STATE_DIR}/conns-loaded" ] \
    && [ -n "$OLD_CKAID" ] && [ "$OLD_CKAID" != "$ckaid" ] && pluto_running; then
    major="$(libreswan_major)"
    [ "${major:-0}" -lt 5 ] && mode=switch
  fi
  case $mode in
    switch)
      other_set target "$set"
      set_nick target_nick "$target"
      if ! "$import" beside "$target_nick" "$@"; then
        discard_new_cert "$import" "$ckaid" "$target_nick"
        fail nss_failed "could not import the new host certificate; the previous one is kept"
      fi
      if ! file_new_cert_beside "$nick" "$target_nick" "$(cert_serial "$cert")" "$(cert_serial "${WORK}/old-host.pem")"; then
        discard_new_cert "$import" "$ckaid" "$target_nick"
        fail nss_failed "${BESIDE_ERROR}; the previous certificate is kept"
      fi
      ;;
    in-place)
      remove_host_certs "$nick" || { restore_old_host_cert "$nick"; fail nss_failed "could not remove the previous host certificate"; }
      if ! "$import" in-place "$nick" "$@"; then
        restore_old_host_cert "$nick"
        fail nss_failed "${IMPORT_ERROR:-could not import the host certificate}; the previous one is kept"
      fi
      ;;
  esac
  # install-p12's decrypted password: not kept past the import (nor when there was none to do).
  if [ -d "${WORK}/secret" ]; then rm -rf "${WORK}/secret"; fi
  install_ca_bundle
  case $mode in
    switch)
      switch_conn_set "$set" "$target"
      remove_host_certs "$nick" || log "could not remove the previous host certificate ${nick}"
      delete_superseded_keys "$ckaid"
      ;;
    in-place)
      delete_superseded_keys "$ckaid"
      present_new_cert "$had_cert"
      ;;
    unchanged) delete_superseded_keys "$ckaid" ;;
  esac
  initiate_to_peers
  succeed "\"serial\":$(json_string "$(cert_serial "$cert")"),\"notAfter\":$(json_string "$(cert_not_after "$cert")")"
}

# Certificates under another set's nickname than $1, the one in force: a run killed during a
# switch leaves one (before it committed, the new certificate; after, the previous one).
remove_stale_certs() {
  local set stale
  for set in "${CONN_SETS[@]}"; do
    set_nick stale "$set"
    [ "$stale" != "$1" ] || continue
    nss_has_cert "$stale" || continue
    log "removing the certificate under ${stale}: no conn in force presents it (a run was killed during a switch)"
    remove_host_certs "$stale" || fail nss_failed "could not remove the certificate under ${stale}"
  done
}

# A beside import that failed half-way: its certificate goes (an install-p12's key with it, by the
# key's id: its certificate may share the current one's nickname; a CSR's key stays for a retry).
discard_new_cert() {
  if [ "$1" = import_host_p12 ]; then
    quiet certutil -F -d "sql:${NSS_DIR}" -f "$(nss_password_file)" -k "$2" || log "could not delete the imported key ${2}"
  fi
  remove_host_certs "$3" || log "could not remove the certificate under ${3}"
}
