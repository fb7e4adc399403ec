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
  check_revoked_peers_input
  check_ca_bundle_input if-changed
  stage_config
  switch_config
  sync_ca_bundle if-changed
  install_crls
  load_config if-changed
  enforce_crls
  cut_revoked_peers
  record_crls
  commit_config
  initiate_to_peers
  succeed "$(config_result_fields)"
}

# The result fields install and apply-config share: the config hash in force, how the changed CRLs
# were put in force (crlRefresh: none, trigger or restart), the addresses whose SAs were deleted
# because a new CRL revokes their certificate (cutPeers), and whether pluto still trusts a CA that
# left the bundle until it restarts (caRemovalPending).
config_result_fields() {
  printf '"configHash":%s,"crlRefresh":"%s","cutPeers":%s,"caRemovalPending":%s' \
    "$(json_string "$(param configHash)")" "$CRL_REFRESH" "$(cut_peers_json)" "$(ca_removal_pending_json)"
}
