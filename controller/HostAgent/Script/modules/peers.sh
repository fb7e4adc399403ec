# Late peers: the enrolled peers a host initiates to once its conns are loaded, so none keeps a stale failure shunt.
# shellcheck shell=bash

# A peer that sent to this host before the host had its conns (before enrolment, or while a config
# roll-out reloaded them) holds a failure shunt for the pair (%drop under private, %pass under
# private-or-clear) until shuntlifetime expires. When this host initiates, the peer answers as
# responder and the SA it installs replaces that shunt; nothing the peer can do itself works on
# libreswan 4.10. The request's `peers` file lists the peers' addresses (one a line, at most
# PEERS_MAX); a UDP connect() to each from bash triggers the kernel's acquire as a packet would,
# without sending anything and without a process.

declare -a PEERS=()
readonly RE_IPV4='^(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}$'
readonly RE_IPV6='^[0-9a-fA-F:.]{2,45}$'

# Checks the request's peers file (when it has one) before anything changes: one IPv4 or IPv6
# address a line (blank lines ignored), at most PEERS_MAX of them; fills PEERS.
require_peers_input() {
  local line number=0
  PEERS=()
  has_file peers || return 0
  while IFS= read -r line || [ -n "$line" ]; do
    number=$((number + 1))
    line=${line%$'\r'}
    [ -n "$line" ] || continue
    if ! [[ $line =~ $RE_IPV4 ]] && ! { [[ $line == *:* ]] && [[ $line =~ $RE_IPV6 ]]; }; then
      bad_request_verb "file peers line ${number}: not an IP address"
    fi
    PEERS+=("$line")
    [ "${#PEERS[@]}" -le "$PEERS_MAX" ] || bad_request_verb "file peers lists more than ${PEERS_MAX} addresses"
  done <"${IN}/peers"
}

# Initiates to every listed peer, after pluto's own start-up loading, when this verb loaded the
# certificate conns (a reload or a switch of sets): a connect() per address, this host's own
# addresses skipped. Connecting fails where the kernel refuses the flow while it negotiates; the
# acquire has gone to pluto by then, so that is not a failure.
initiate_to_peers() {
  local peer fd own tried=0 set nick
  [ "${#PEERS[@]}" -gt 0 ] || return 0
  if [ "$CONNS_TOUCHED" != true ] && [ "$CONN_SET_SWITCHED" != true ]; then return 0; fi
  pluto_running || return 0
  conn_set_of set
  set_nick nick "$set"
  if ! nss_has_cert "$nick"; then
    log "no host certificate yet: not initiating to the ${#PEERS[@]} listed peers"
    return 0
  fi
  wait_for_startup_addconn
  own=" $(own_addresses) "
  own=${own//[[:space:]]/ }
  for peer in "${PEERS[@]}"; do
    [[ $own != *" ${peer}/"* ]] || continue
    tried=$((tried + 1))
    if { exec {fd}>"/dev/udp/${peer}/9"; } 2>/dev/null; then exec {fd}>&-; fi
  done
  log "initiated to ${tried} listed peers"
}
