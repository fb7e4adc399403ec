# pluto: started, stopped and restarted, its conns (re)loaded, and the new host certificate presented.
# shellcheck shell=bash

# Sets array variable $1 to the conns to (re)load for set $2: all of them once the host has its
# certificate under the set's nickname, else only those that need none.
conns_to_load() {
  local -n _to_load=$1
  local nick
  set_nick nick "$2"
  if nss_ready && nss_has_cert "$nick"; then
    set_conns _to_load "$2"
  else
    _to_load=("${CERTLESS_CONNS[@]}")
  fi
}

readonly RE_STATUS_CONN='^(000 )?"([^"#[]+)": '

# Takes our conns out of pluto: the policy groups under any set's names (or legacy ones) that
# `whack --status` lists, one whack each.
delete_our_conns() {
  local status line name group set
  local -A ours=() found=()
  for group in "${POLICY_GROUPS[@]}"; do ours[$group]=1; done
  for group in "${CERT_GROUPS[@]}"; do
    for set in "${CONN_SETS[@]}"; do ours[${group}${set}]=1; done
  done
  status="$(pluto_whack --status 2>/dev/null)" || return 0
  while IFS= read -r line; do
    [[ $line =~ $RE_STATUS_CONN ]] || continue
    name=${BASH_REMATCH[2]}
    if [ -n "${ours[$name]:-}" ] && [ -z "${found[$name]:-}" ]; then
      found[$name]=1
      pluto_whack --delete --name "$name" >/dev/null 2>&1 || true
    fi
  done <<<"$status"
}

# Adds conn $1 from the files in force; returns non-zero, ADD_CONN_ERROR saying why, when
# libreswan refuses it. libreswan 4.x prints "conn X did not load properly" and still exits 0 when
# its parser refused the conn: that is a refusal too.
ADD_CONN_ERROR=""
add_conn() {
  local out rc=0 line
  out="$(ipsec_tool addconn --config "$IPSEC_CONF" --ctlsocket "$CTL_SOCKET" "$1" 2>&1)" || rc=$?
  if [ -n "$out" ]; then
    while IFS= read -r line; do log "  addconn: ${line}"; done <<<"$out"
  fi
  if [ "$rc" -ne 0 ] || [[ $out == *"did not load properly"* ]]; then
    ADD_CONN_ERROR="libreswan rejected conn ${1} (addconn exited ${rc}); see the agent log and ${PLUTO_LOG}"
    return 1
  fi
}

load_conn() {
  add_conn "$1" || fail config_failed "$ADD_CONN_ERROR"
}

# Deletes and adds every conn of the set in force (conns of an agent before the sets are renamed
# into set ~a first), routes them and loads the policy groups, behind the reload guard. Leaves
# ${STATE_DIR}/conns-loaded when every conn loaded: a config verb that changes no file then has
# nothing to reload (a reload drops every SA).
reload_conns() {
  local conn set routed
  local -a conns=()
  CONNS_TOUCHED=true
  rm -f "${STATE_DIR}/conns-loaded"
  recover_conn_set
  conn_set_of set
  if [ "$set" = "" ]; then
    log "renaming the certificate conns into set ~a"
    umask 022
    render_conn_set "$CONN_FILE" "${CONN_FILE}.ipsec-mesh-new" "~a"
    umask 077
    mv -f "${CONN_FILE}.ipsec-mesh-new" "$CONN_FILE"
  fi
  case $set in "~a" | "~b") ;; *) set="~a" ;; esac
  sync_set_policies "$set"
  remove_other_set_policies "$set"
  conns_to_load conns "$set"
  guard_private_networks
  delete_our_conns
  test_kill_point conns-deleted
  for conn in "${conns[@]}"; do load_conn "$conn"; done
  # addconn NAME only adds: an auto=ondemand group must also be routed, or none of its
  # instances installs a kernel policy and traffic flows in clear.
  routed=" $(ipsec_tool addconn --config "$IPSEC_CONF" --listroute 2>/dev/null) "
  routed=${routed//[[:space:]]/ }
  for conn in "${conns[@]}"; do
    [[ $routed == *" ${conn} "* ]] || continue
    quiet pluto_whack --route --name "$conn" || fail config_failed "pluto could not route conn ${conn}"
  done
  quiet pluto_whack --listen || fail config_failed "pluto could not reload the policy groups"
  remove_reload_guard
  record_conn_set
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

# pluto forks `addconn --autoall` as it starts (it adds every conn of the config files, routes
# them and loads the policy groups), concurrently with whatever the agent does next: when it gets
# to a conn it replaces it, deleting the negotiations and SAs made in between. Waits, at most 30 s,
# until that child has exited; pluto forks it before it answers whack, so a pluto that answers
# and has no such child is past it. Builtins only: pluto's children are read from /proc.
wait_for_startup_addconn() {
  local pid waited=0
  [ -r "${RUN_DIR}/pluto.pid" ] || return 0
  read -r pid <"${RUN_DIR}/pluto.pid" || return 0
  [[ $pid =~ ^[0-9]+$ ]] || return 0
  while has_child_named "$pid" addconn; do
    waited=$((waited + 1))
    if [ "$waited" -gt 150 ]; then
      log "pluto's start-up addconn still runs after 30s; going on"
      return 0
    fi
    sleep 0.2
  done
  [ "$waited" -eq 0 ] || log "waited for pluto's start-up addconn to finish"
}

readonly RE_PROC_STAT='^[0-9]+ \((.*)\) [A-Za-z] ([0-9]+) '

# Whether process $1 has a child whose command name is $2: its children list where the kernel has
# one, else every process's stat.
has_child_named() {
  local parent=$1 name=$2 children="" child comm line stat
  if [ -r "/proc/${parent}/task/${parent}/children" ]; then
    read -r children <"/proc/${parent}/task/${parent}/children" || true
    for child in $children; do
      comm=""
      read -r comm <"/proc/${child}/comm" 2>/dev/null || continue
      [ "$comm" != "$name" ] || return 0
    done
    return 1
  fi
  for stat in /proc/[0-9]*/stat; do
    read -r line <"$stat" 2>/dev/null || continue
    [[ $line =~ $RE_PROC_STAT ]] || continue
    if [ "${BASH_REMATCH[1]}" = "$name" ] && [ "${BASH_REMATCH[2]}" = "$parent" ]; then return 0; fi
  done
  return 1
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
  wait_for_startup_addconn
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
  wait_for_startup_addconn
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
