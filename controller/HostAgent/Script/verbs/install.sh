# Verb install: packages, NSS database, config, CA bundle and CRLs, then pluto running the conns.
# shellcheck shell=bash

verb_install() {
  local reinitialised=false
  require_config_inputs
  ensure_packages
  require_supported_libreswan
  ensure_nss_db repair
  check_crl_inputs
  check_revoked_peers_input
  check_ca_bundle_input always
  stage_config
  switch_config
  sync_ca_bundle always
  install_crls
  : >"${STATE_DIR}/installed"
  load_config always
  enforce_crls
  cut_revoked_peers
  record_crls
  commit_config
  if [ -f "${STATE_DIR}/nss-reinitialised" ]; then
    reinitialised=true
    rm -f "${STATE_DIR}/nss-reinitialised"
  fi
  # The certificate the host presents, so the controller can tell one it did not issue (todo repairs it).
  local serial=null
  if nss_has_cert "$HOST_NICK" && nss_cert_pem "$HOST_NICK" >"${WORK}/install-host.pem"; then
    serial="$(json_string "$(cert_serial "${WORK}/install-host.pem")")"
  fi
  succeed "\"libreswan\":$(json_string "$(libreswan_version)"),$(config_result_fields),\"nssReinitialised\":${reinitialised},\"certSerial\":${serial}"
}
