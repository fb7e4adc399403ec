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
  check_ca_bundle_input always
  stage_config
  switch_config
  sync_ca_bundle always
  install_crls
  : >"${STATE_DIR}/installed"
  load_config always
  commit_config
  initiate_to_peers
  if [ -f "${STATE_DIR}/nss-reinitialised" ]; then
    reinitialised=true
    rm -f "${STATE_DIR}/nss-reinitialised"
  fi
  succeed "\"libreswan\":$(json_string "$(libreswan_version)"),\"configHash\":$(json_string "$(param configHash)"),\"nssReinitialised\":${reinitialised}"
}
