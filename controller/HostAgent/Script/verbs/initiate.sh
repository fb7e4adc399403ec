# Verb initiate: negotiate with each listed peer that this host has no SA with yet.
# shellcheck shell=bash

# Sent by the controller to hosts it has just tagged enabled, listing the hosts enabled while their
# own enrolment commands ran: neither side's command listed the other (it was not enabled yet), so
# a pair of them may hold a failure shunt from traffic sent while one side's conns were loading. A
# host that holds no shunt for a pair initiates and the peer's shunt is replaced by the SA it then
# installs as responder; a connect() to a peer with an SA already sends nothing. Result fields:
# initiated (addresses connected to) and established (of those, with an ESP SA within PEER_SA_WAIT).
verb_initiate() {
  has_file peers || bad_request_verb "file peers is required"
  require_peers_input
  if [ ! -f "${STATE_DIR}/installed" ] || ! have ipsec; then
    fail not_running "the mesh is not installed on this host; run install"
  fi
  pluto_running || fail not_running "pluto is not running"
  require_nss
  initiate_to_peers always
  local fields
  printf -v fields '"initiated":%s,"established":%s' "${#INITIATED[@]}" "$((${#INITIATED[@]} - ${#PEERS_WITHOUT_SA[@]}))"
  succeed "$fields"
}
