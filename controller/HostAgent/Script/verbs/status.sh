# Verb status: pluto, the config hash, the host certificate and the SA, shunt and xfrm counters.
# shellcheck shell=bash

# Prints the value of a `key=value` line of whack --globalstatus, 0 when absent.
stat_value() {
  local key=$1 text=$2 line
  while IFS= read -r line; do
    if [ "${line%%=*}" = "$key" ]; then printf '%s' "${line#*=}"; return 0; fi
  done <<<"$text"
  printf '0'
}

xfrm_value() {
  local key=$1 name value
  if [ -r "$XFRM_STAT" ]; then
    while read -r name value; do
      if [ "$name" = "$key" ]; then printf '%s' "$value"; return 0; fi
    done <"$XFRM_STAT"
  fi
  printf '0'
}

verb_status() {
  local running=false global="" shunts="" line failed=0 failing=0 negotiating=0
  local serial=null not_after=null hash=null ike_failures set nick
  if pluto_running; then
    running=true
    global="$(pluto_whack --globalstatus 2>/dev/null)" || global=""
    shunts="$(pluto_whack --shuntstatus 2>/dev/null)" || shunts=""
  fi
  while IFS= read -r line; do
    case $line in
      *oe-failed*) failed=$((failed + 1)) ;;
      *oe-failing*) failing=$((failing + 1)) ;;
      *negotiat*) negotiating=$((negotiating + 1)) ;;
    esac
  done <<<"$shunts"
  if [ -f "${STATE_DIR}/config-hash" ]; then
    read -r hash <"${STATE_DIR}/config-hash" || hash=""
    hash="$(json_string "$hash")"
  fi
  detect_nss_dir
  conn_set_of set
  set_nick nick "$set"
  if have certutil && have openssl && nss_ready && nss_cert_pem "$nick" >"${WORK}/status-host.pem"; then
    serial="$(json_string "$(cert_serial "${WORK}/status-host.pem")")"
    not_after="$(json_string "$(cert_not_after "${WORK}/status-host.pem")")"
  fi
  ike_failures=$(($(stat_value total.ike.ikev2.failed "$global") + $(stat_value total.ike.ikev1.failed "$global")))
  local fields
  fields="\"running\":${running},\"libreswan\":$(json_string "$(libreswan_version)"),\"configHash\":${hash}"
  fields+=",\"certSerial\":${serial},\"certNotAfter\":${not_after}"
  fields+=",\"ipsecSAs\":$(stat_value current.states.ipsec "$global"),\"ikeSAs\":$(stat_value current.states.ike "$global")"
  fields+=",\"ikeFailures\":${ike_failures}"
  fields+=",\"shunts\":{\"oeFailed\":${failed},\"oeFailing\":${failing},\"negotiating\":${negotiating}}"
  fields+=",\"xfrm\":{\"inError\":$(xfrm_value XfrmInError),\"inNoStates\":$(xfrm_value XfrmInNoStates)"
  fields+=",\"inTmplMismatch\":$(xfrm_value XfrmInTmplMismatch),\"outNoStates\":$(xfrm_value XfrmOutNoStates)"
  fields+=",\"outPolBlock\":$(xfrm_value XfrmOutPolBlock)}"
  fields+=",\"caRemovalPending\":$(ca_removal_pending_json keep)"
  succeed "$fields"
}
