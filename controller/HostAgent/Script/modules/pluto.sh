# pluto: started, stopped and restarted, its conns (re)loaded, and the new host certificate presented.
# shellcheck shell=bash

# Conns to (re)load: all groups once the host has its certificate, else only those needing none.
conns_to_load() {
  if nss_ready && nss_has_cert "$HOST_NICK"; then
    printf '%s\n' "${POLICY_GROUPS[@]}"
  else
    printf '%s\n' "${CERTLESS_CONNS[@]}"
  fi
}

# Takes our conns out of pluto.
delete_our_conns() {
  local conn
  for conn in "${POLICY_GROUPS[@]}"; do
    pluto_whack --delete --name "$conn" >/dev/null 2>&1 || true
  done
}

# Adds conn $1 from the files in force. libreswan 4.x prints "conn X did not load properly" and
# still exits 0 when its parser refused the conn: that is a failure too.
load_conn() {
  local out rc=0 line
  out="$(ipsec_tool addconn --config "$IPSEC_CONF" --ctlsocket "$CTL_SOCKET" "$1" 2>&1)" || rc=$?
  if [ -n "$out" ]; then
    while IFS= read -r line; do log "  addconn: ${line}"; done <<<"$out"
  fi
  if [ "$rc" -ne 0 ] || [[ $out == *"did not load properly"* ]]; then
    fail config_failed "libreswan rejected conn ${1} (addconn exited ${rc}); see the agent log and ${PLUTO_LOG}"
  fi
}

# Leaves ${STATE_DIR}/conns-loaded when every conn loaded: a config verb that changes no file
# then has nothing to reload (a reload drops every SA).
reload_conns() {
  local conn conns routed
  CONNS_TOUCHED=true
  rm -f "${STATE_DIR}/conns-loaded"
  conns="$(conns_to_load)"
  guard_private_networks
  delete_our_conns
  test_kill_point conns-deleted
  while IFS= read -r conn; do load_conn "$conn"; done <<<"$conns"
  # addconn NAME only adds: an auto=ondemand group must also be routed, or none of its
  # instances installs a kernel policy and traffic flows in clear.
  routed=" $(ipsec_tool addconn --config "$IPSEC_CONF" --listroute 2>/dev/null | tr -s '[:space:]' ' ') "
  while IFS= read -r conn; do
    [[ $routed == *" ${conn} "* ]] || continue
    quiet pluto_whack --route --name "$conn" || fail config_failed "pluto could not route conn ${conn}"
  done <<<"$conns"
  quiet pluto_whack --listen || fail config_failed "pluto could not reload the policy groups"
  remove_reload_guard
  : >"${STATE_DIR}/conns-loaded"
}

# Makes pluto present the host certificate now in NSS.
present_new_cert() {
  local had_cert=$1 major
  if ! pluto_running; then
    log "pluto is not running; it will load the certificate when it starts"
    return 0
  fi
  major="$(libreswan_major)"
  if [ "$had_cert" = true ] && [ "${major:-0}" -ge 5 ]; then
    quiet pluto_whack --rereadcerts || fail nss_failed "pluto could not reread the certificates"
  else
    # libreswan 4.x: --rereadcerts crashes pluto when instance conns exist, so reload the conns
    # (a restart would also do, but the kernel policies are flushed while pluto starts).
    reload_conns
  fi
}

start_pluto_directly() {
  local pid waited=0
  PLUTO_RESTARTED=true
  if [ -f "${RUN_DIR}/pluto.pid" ]; then
    read -r pid <"${RUN_DIR}/pluto.pid" || pid=""
    if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then rm -f "${RUN_DIR}/pluto.pid" "$CTL_SOCKET"; fi
  fi
  if [ -x /usr/libexec/ipsec/_stackmanager ]; then quiet /usr/libexec/ipsec/_stackmanager start || true; fi
  # _stackmanager flushes every xfrm policy when pluto is down, the reload guard's too.
  guard_private_networks
  mkdir -p "$RUN_DIR"
  # The daemon must not inherit our lock (fd 9) or our output pipes.
  "$PLUTO_BIN" --config "$IPSEC_CONF" --nssdir "$NSS_DIR" --ipsecdir "$IPSECD_DIR" --rundir "$RUN_DIR" \
    --logfile "$PLUTO_LOG" </dev/null >/dev/null 2>>"${STATE_DIR}/pluto-start.err" 9>&- \
    || fail install_failed "pluto did not start; see ${STATE_DIR}/pluto-start.err and ${PLUTO_LOG}"
  until pluto_running; do
    waited=$((waited + 1))
    [ "$waited" -le 50 ] || fail install_failed "pluto did not open its control socket; see ${PLUTO_LOG}"
    sleep 0.2
  done
  # pluto clears the kernel's policies as it starts, the guard's among them.
  guard_private_networks
}

# Starts pluto (the service under systemd), without loading our conns.
start_daemon() {
  if use_systemd; then
    PLUTO_RESTARTED=true
    quiet systemctl enable ipsec.service || fail install_failed "systemctl could not enable ipsec"
    quiet systemctl start ipsec.service || fail install_failed "systemctl could not start ipsec"
  else
    start_pluto_directly
  fi
  : >"${STATE_DIR}/service-started-by-agent"
}

start_service() {
  start_daemon
  reload_conns
}

# Restarts a running pluto behind the reload guard; the caller reloads the conns.
restart_pluto() {
  log "restarting pluto: $1"
  PLUTO_RESTARTED=true
  guard_private_networks
  if use_systemd; then
    # The unit flushes every xfrm policy when it stops and before pluto starts: guard again at once.
    quiet systemctl restart ipsec.service || fail install_failed "systemctl could not restart ipsec"
    guard_private_networks
  else
    stop_service
    start_pluto_directly
  fi
}

# Makes pluto use the written config: a restart when its config setup options changed (now or
# in a verb that failed before restarting), or with $1 = always (install) when install re-created
# the NSS database pluto has open; else a reload of the conns (or a start).
# With $1 = if-changed (apply-config), a running pluto whose conns loaded from the files now
# written keeps them (and its SAs): a CRL or CA bundle update alone reloads nothing. install
# always reloads, which is how a todo repairs a host.
load_config() {
  local mode=${1:-always} restart=""
  if [ -f "${STATE_DIR}/setup-pending" ]; then
    restart="its config setup options changed"
  elif [ "$mode" = always ] && [ -f "${STATE_DIR}/nss-reinitialised" ]; then
    restart="its NSS database was re-created"
  fi
  if [ -n "$restart" ] && pluto_running; then restart_pluto "$restart"; fi
  if ! pluto_running; then
    start_service
  elif [ "$mode" = if-changed ] && [ -z "$restart" ] && [ "$CONFIG_CHANGED" = false ] \
    && [ -f "${STATE_DIR}/conns-loaded" ]; then
    log "conns unchanged; pluto keeps them"
  else
    reload_conns
  fi
  if [ -f "${STATE_DIR}/setup-pending" ]; then rm -f "${STATE_DIR}/setup-pending"; fi
}

stop_service() {
  local waited=0
  if use_systemd; then
    quiet systemctl disable --now ipsec.service || log "systemctl could not stop ipsec"
  elif pluto_running; then
    quiet pluto_whack --shutdown || log "pluto did not accept the shutdown"
  fi
  while pluto_running; do
    waited=$((waited + 1))
    [ "$waited" -le 50 ] || { log "pluto is still running after the shutdown"; return 0; }
    sleep 0.2
  done
}
