# pluto's CA trust at run time: a CA added is trusted at once; a CA removed stays trusted until pluto restarts (noted as pending).
# shellcheck shell=bash

# pluto builds its trust anchors (every CA certificate in NSS) on first use and keeps them until
# its EVENT_FREE_ROOT_CERTS timer, 5 minutes after the last use. `whack --impair
# trigger:FREE_ROOT_CERTS` runs that timer now, so the next IKE_AUTH sees a CA just imported; on
# 5.x `whack --rereadcerts` does the same (and reloads the host certificate). Never --rereadcerts
# on 4.x: with instance conns it crashes pluto. Neither makes pluto forget a CA deleted from NSS:
# pluto's NSS keeps serving the CA object it loaded until pluto restarts.

readonly CA_REMOVAL_NOTE="${STATE_DIR}/ca-removal-pending"

# Makes a running pluto trust the CAs now in NSS. A failure is logged: the anchors are rebuilt
# within 5 minutes anyway.
refresh_trusted_cas() {
  local major out
  pluto_running || return 0
  major="$(libreswan_major)"
  if [ "${major:-0}" -ge 5 ]; then
    out="$(pluto_whack --rereadcerts 2>&1)" || { log "whack --rereadcerts failed: ${out//$'\n'/ }"; return 0; }
    log "pluto re-read its CA certificates (whack --rereadcerts)"
  else
    out="$(pluto_whack --impair trigger:FREE_ROOT_CERTS 2>&1)" || { log "whack --impair trigger:FREE_ROOT_CERTS failed: ${out//$'\n'/ }"; return 0; }
    log "pluto dropped its CA cache (whack --impair trigger:FREE_ROOT_CERTS)"
  fi
}

# The running pluto as "<pid> <start time>" (/proc/<pid>/stat field 22), empty when none runs.
pluto_identity() {
  local pid="" fields
  pluto_running || return 0
  if [ -f "${RUN_DIR}/pluto.pid" ]; then read -r pid <"${RUN_DIR}/pluto.pid" || pid=""; fi
  [[ $pid =~ ^[0-9]+$ ]] && [ -r "/proc/${pid}/stat" ] || return 0
  read -r -a fields <"/proc/${pid}/stat" || return 0
  printf '%s %s' "$pid" "${fields[21]:-}"
}

# Notes that CA $1 left NSS while this pluto runs: the note holds pluto's identity (first line)
# and the CA ids (one a line). Without a running pluto there is nothing to note.
note_ca_removal() {
  local identity text=""
  identity="$(pluto_identity)"
  [ -n "$identity" ] || return 0
  if [ -f "$CA_REMOVAL_NOTE" ]; then read_text text "$CA_REMOVAL_NOTE"; fi
  if [ -z "$text" ] || [ "${text%%$'\n'*}" != "$identity" ]; then text="${identity}"$'\n'; fi
  [[ $text == *$'\n'"$1"$'\n'* ]] || text+="$1"$'\n'
  write_atomic "$CA_REMOVAL_NOTE" "$text"
  log "pluto still trusts CA $1 until it restarts"
}

# Whether a CA removal is still pending: the pluto running when it was noted still runs. A pluto
# restarted since (by this agent for any reason, or by anyone) trusts only the CAs in NSS: the
# note is cleared (not with $1 = keep: status changes nothing).
ca_removal_pending() {
  local identity noted
  [ -f "$CA_REMOVAL_NOTE" ] || return 1
  IFS= read -r noted <"$CA_REMOVAL_NOTE" || noted=""
  identity="$(pluto_identity)"
  if [ -n "$identity" ] && [ "$identity" = "$noted" ]; then return 0; fi
  [ "${1:-}" != keep ] || return 1
  rm -f "$CA_REMOVAL_NOTE"
  log "pluto has restarted since a CA left the bundle: it trusts only the CAs of the bundle"
  return 1
}

# ca_removal_pending as a JSON boolean.
ca_removal_pending_json() {
  if ca_removal_pending "${1:-}"; then printf 'true'; else printf 'false'; fi
}
