# Verb uninstall: everything the agent did, undone.
# shellcheck shell=bash

verb_uninstall() {
  local manager=""
  if [ -f "${STATE_DIR}/service-started-by-agent" ] || [ -f "${STATE_DIR}/package-installed-by" ]; then
    stop_service
  elif pluto_running; then
    # Someone else's libreswan: only take our conns out of it.
    delete_our_conns
  fi
  rm -f "$NEXT_CONN_FILE"
  restore_stock_policies
  remove_other_set_policies ""
  # A reload that failed earlier may have left its guard: nothing of ours stays in the kernel.
  remove_reload_guard
  if pluto_running; then quiet pluto_whack --listen || true; fi
  remove_our_nss_entries
  restore_kernel_settings
  if [ -f "${STATE_DIR}/package-installed-by" ]; then
    read -r manager <"${STATE_DIR}/package-installed-by" || manager=""
    log "removing libreswan, which the agent installed with ${manager}"
    case $manager in
      dnf | yum) quiet "$manager" -y remove libreswan || fail install_failed "${manager} could not remove libreswan" ;;
      apt-get) quiet env DEBIAN_FRONTEND=noninteractive apt-get remove -y -q libreswan || fail install_failed "apt-get could not remove libreswan" ;;
    esac
  fi
  rm -f "${STATE_DIR}/installed" "${STATE_DIR}/config-hash" "${STATE_DIR}/service-started-by-agent" "${STATE_DIR}/package-installed-by"
  rm -f "${STATE_DIR}/conns-loaded" "${STATE_DIR}/conn-set" "${STATE_DIR}/ca-bundle.pem" "${STATE_DIR}/setup-pending" "${STATE_DIR}/nss-reinitialised"
  rm -rf "${STATE_DIR}/keys" "${STATE_DIR}/crls"
  succeed ""
}
