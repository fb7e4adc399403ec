# The end install-cert and install-p12 share: the host certificate replaced, then the CAs, keys and pluto.
# shellcheck shell=bash

# install_host_cert CERT CKAID IMPORT...: CERT (checked by the verb, its key CKAID) becomes the host
# certificate. Unless it already is, the previous one is removed and the command IMPORT... puts
# CERT in NSS under HOST_NICK (putting the previous one back with restore_old_host_cert and
# failing when it cannot). Then the bundle's CAs are installed, the keys CERT superseded deleted
# and pluto made to present CERT, and the verb succeeds with CERT's serial and notAfter.
install_host_cert() {
  local cert=$1 ckaid=$2 had_cert=false unchanged=false
  shift 2
  remember_old_host_cert
  [ -s "${WORK}/old-host.pem" ] && had_cert=true
  if [ "$had_cert" = true ] && [ "$(cert_fingerprint "${WORK}/old-host.pem")" = "$(cert_fingerprint "$cert")" ]; then
    log "host certificate already installed"
    unchanged=true
  else
    remove_host_certs || { restore_old_host_cert; fail nss_failed "could not remove the previous host certificate"; }
    "$@"
  fi
  # install-p12's decrypted password: not kept past the import (nor when there was none to do).
  if [ -d "${WORK}/secret" ]; then rm -rf "${WORK}/secret"; fi
  install_ca_bundle
  delete_superseded_keys "$ckaid"
  [ "$unchanged" = true ] || present_new_cert "$had_cert"
  succeed "\"serial\":$(json_string "$(cert_serial "$cert")"),\"notAfter\":$(json_string "$(cert_not_after "$cert")")"
}
