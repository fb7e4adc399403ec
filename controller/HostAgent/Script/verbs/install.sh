# Verb install: packages, NSS database, config, CA bundle and CRLs, then pluto running the conns.
# shellcheck shell=bash

verb_install() {
  require_config_inputs
  ensure_packages
  ensure_nss_db
  check_crl_inputs
  apply_config_files
  sync_ca_bundle always
  install_crls
  : >"${STATE_DIR}/installed"
  load_config always
  succeed "\"libreswan\":$(json_string "$(libreswan_version)"),\"configHash\":$(json_string "$(param configHash)")"
}
