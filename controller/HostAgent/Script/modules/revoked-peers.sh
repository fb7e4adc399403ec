# Revoked peers: the live SAs with a peer whose certificate a new CRL revokes are torn down.
# shellcheck shell=bash

# pluto shows no peer's certificate serial (only its ID, which with the mesh's template is its
# address), so the controller says which addresses each recently revoked certificate named: the
# config verbs' optional file revoked-peers, one `<serial hex> <address>` a line. Once the new CRLs
# are in force, `whack --deleteid --name <address>` deletes the IKE SA and its Child SAs with each
# address whose serial a changed CRL newly revokes (relative to the CRL held before), sending a
# Delete; the peer's renegotiation is then refused (its certificate is revoked). A CRL that only
# re-signs what the host held cuts nothing.

readonly RE_REVOKED_PEER='^([0-9a-fA-F]{1,40}) ([0-9]{1,3}(\.[0-9]{1,3}){3}|[0-9a-fA-F:]{2,39})$'
# At most this many lines are read: the controller lists a day of revocations.
readonly MAX_REVOKED_PEERS=20000
# The request's revoked-peers, checked: serial (normalised) and address, in request order.
declare -a REVOKED_SERIALS=() REVOKED_ADDRESSES=()
# Addresses whose SAs this run deleted.
declare -a CUT_PEERS=()

# Checks file revoked-peers before anything changes (bad_request on a line outside the alphabet).
check_revoked_peers_input() {
  local line number=0
  has_file revoked-peers || return 0
  while IFS= read -r line || [ -n "$line" ]; do
    number=$((number + 1))
    [ "$number" -le "$MAX_REVOKED_PEERS" ] || bad_request_verb "revoked-peers has more than ${MAX_REVOKED_PEERS} lines"
    [ -n "$line" ] || continue
    [[ $line =~ $RE_REVOKED_PEER ]] || bad_request_verb "revoked-peers line ${number} is not '<serial hex> <address>'"
    REVOKED_SERIALS+=("$(normal_serial "${BASH_REMATCH[1]}")")
    REVOKED_ADDRESSES+=("${BASH_REMATCH[2]}")
  done <"${IN}/revoked-peers"
}

# After enforce_crls: deletes the SAs with every address whose serial a changed CRL newly revokes.
cut_revoked_peers() {
  local i address out
  declare -A seen=()
  [ "${#CRL_NEWLY_REVOKED[@]}" -gt 0 ] && [ "${#REVOKED_SERIALS[@]}" -gt 0 ] || return 0
  pluto_running || return 0
  for i in "${!REVOKED_SERIALS[@]}"; do
    [ -n "${CRL_NEWLY_REVOKED[${REVOKED_SERIALS[$i]}]:-}" ] || continue
    address=${REVOKED_ADDRESSES[$i]}
    [ -z "${seen[$address]:-}" ] || continue
    seen[$address]=1
    if out="$(pluto_whack --deleteid --name "$address" 2>&1)"; then
      CUT_PEERS+=("$address")
      log "deleted the SAs with ${address}: certificate ${REVOKED_SERIALS[$i]} is revoked"
    else
      log "whack --deleteid --name ${address} failed: ${out//$'\n'/ }"
    fi
  done
}

# The JSON array of CUT_PEERS.
cut_peers_json() {
  local address json=""
  for address in "${CUT_PEERS[@]}"; do json+="${json:+,}\"${address}\""; done
  printf '[%s]' "$json"
}
