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
# The peers initiate_to_peers connected to (own addresses skipped).
declare -a INITIATED=()
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
  settle_peer_negotiations
  own=" $(own_addresses) "
  own=${own//[[:space:]]/ }
  for peer in "${PEERS[@]}"; do
    [[ $own != *" ${peer}/"* ]] || continue
    tried=$((tried + 1))
    if { exec {fd}>"/dev/udp/${peer}/9"; } 2>/dev/null; then exec {fd}>&-; fi
    INITIATED+=("$peer")
  done
  log "initiated to ${tried} listed peers"
  wait_for_peer_sas
}

# After this verb loaded the conns, waits the template's retransmit-timeout (+1 s, at most
# PEER_SETTLE_MAX) before initiating: a peer whose own negotiation started while this host could
# not answer it (pluto restarting, conns loading) gives up only that long after, and libreswan 4.10
# then installs its failure shunt over the SA this host's initiation had already set up with it,
# which stays dark past the shunt's lifetime (seen in the e2e suite's late-peer scenario). Waited
# out first, that failure comes before the SA and the SA replaces its shunt.
settle_peer_negotiations() {
  local timeout settle
  retransmit_timeout timeout
  settle=$((timeout + 1))
  [ "$settle" -le "$PEER_SETTLE_MAX" ] || settle=$PEER_SETTLE_MAX
  [ "$settle" -gt 0 ] || return 0
  log "waiting ${settle}s for negotiations peers started before the conns were loaded"
  sleep "$settle"
}

# Waits up to PEER_SA_WAIT seconds for an outbound ESP SA to every peer initiated to, so that the
# host is reported (and tagged enabled) once its peers can reach it: a peer whose own traffic
# started a negotiation while this host's was still in flight could otherwise cross it, which on
# libreswan 4.10 can leave that pair with a failure shunt over the SA (README, Known gaps). Peers
# that do not answer in time (stopped, unreachable) are only logged.
wait_for_peer_sas() {
  local deadline states="" peer missing=("${INITIATED[@]}") left
  if [ "${#missing[@]}" -eq 0 ] || [ "$PEER_SA_WAIT" -le 0 ]; then return 0; fi
  deadline=$((SECONDS + PEER_SA_WAIT))
  while :; do
    esp_sa_destinations states
    left=()
    for peer in "${missing[@]}"; do
      [[ $states == *" ${peer} "* ]] || left+=("$peer")
    done
    missing=("${left[@]}")
    if [ "${#missing[@]}" -eq 0 ] || [ "$SECONDS" -ge "$deadline" ]; then break; fi
    sleep 0.5
  done
  if [ "${#missing[@]}" -eq 0 ]; then
    log "SAs up with all ${#INITIATED[@]} initiated peers"
  else
    local first=("${missing[@]:0:10}")
    log "no SA after ${PEER_SA_WAIT}s with ${#missing[@]} of ${#INITIATED[@]} initiated peers: ${first[*]}"
  fi
}

# Sets variable $1 to " A B … ": the destinations of the kernel's established ESP SAs (`ip xfrm
# state` prints "src X dst Y", then the state's "proto esp spi 0x… …" line).
esp_sa_destinations() {
  local _line _dst="" _found=" "
  while IFS= read -r _line; do
    if [[ $_line =~ ^src\ [^[:space:]]+\ dst\ ([^[:space:]]+) ]]; then
      _dst=${BASH_REMATCH[1]}
    elif [ -n "$_dst" ] && [[ $_line =~ ^[[:space:]]+proto\ esp\ spi\ (0x[0-9a-f]+) ]]; then
      # SPI 0: the kernel's larval state for an acquire still being negotiated, not an SA.
      [ "${BASH_REMATCH[1]}" = 0x00000000 ] || _found+="${_dst} "
      _dst=""
    fi
  done < <(ip xfrm state 2>/dev/null || true)
  printf -v "$1" '%s' "$_found"
}
