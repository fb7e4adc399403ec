# Verb install: packages, NSS database, config, CA bundle and CRLs, then pluto running the conns.
# shellcheck shell=bash

verb_install() {
  local reinitialised=false
  require_config_inputs
  require_peers_input
  ensure_packages
  require_supported_libreswan
  ensure_nss_db repair
  assert_kernel_settings
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
  initiate_to_peers
  if [ -f "${STATE_DIR}/nss-reinitialised" ]; then
    reinitialised=true
    rm -f "${STATE_DIR}/nss-reinitialised"
  fi
  # The certificate the host presents, so the controller can tell one it did not issue (todo repairs it).
  local serial=null set nick
  conn_set_of set
  set_nick nick "$set"
  if nss_has_cert "$nick" && nss_cert_pem "$nick" >"${WORK}/install-host.pem"; then
    serial="$(json_string "$(cert_serial "${WORK}/install-host.pem")")"
  fi
  succeed "\"libreswan\":$(json_string "$(libreswan_version)"),$(config_result_fields),\"nssReinitialised\":${reinitialised},\"certSerial\":${serial}"
}
