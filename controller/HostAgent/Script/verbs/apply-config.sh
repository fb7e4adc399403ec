# Verb apply-config: config, CA bundle and CRLs on an installed host; reloads only what changed.
# shellcheck shell=bash

verb_apply_config() {
  require_config_inputs
  require_peers_input
  if [ ! -f "${STATE_DIR}/installed" ] || ! have ipsec; then
    fail not_running "the mesh is not installed on this host; run install"
  fi
  ensure_nss_db
  assert_kernel_settings
  check_crl_inputs
  check_ca_bundle_input if-changed
  stage_config
  switch_config
  sync_ca_bundle if-changed
  install_crls
  load_config if-changed
  commit_config
  initiate_to_peers
  succeed "\"configHash\":$(json_string "$(param configHash)")"
}
