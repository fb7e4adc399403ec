# Kernel settings the mesh needs in the host's network namespace, and putting back what they were.
# shellcheck shell=bash

# net.core.xfrm_acq_expires: how long the kernel keeps a larval state. The one a negotiation leaves
# for an outbound flow blocks every new acquire for that pair until it expires, so a pair torn down
# again within the kernel's 30 s (a peer's own rotation right after this host's) stays dark that
# long. But the SPI pluto reserves for a Child SA's inbound SA (XFRM_MSG_ALLOCSPI) is a larval state
# with the same lifetime: an initiator whose IKE_AUTH exchange outlasts it cannot install its inbound
# SA ("netlink response for Add SA ...: No such process"), and the pair keeps an IKE SA with no Child
# SA on this side while the responder sends ESP into the void. So the value is the longest
# exchange pluto allows, the conns' longest retransmit-timeout (libreswan's default where none is
# set), plus ACQ_EXPIRES_MARGIN seconds: 8 s with the shipped 3 s. net.core.xfrm_larval_drop=0:
# packets of a flow whose SA is being negotiated are queued, not dropped (libreswan 4.x implements
# negotiationshunt=hold as nothing), which also hides a renegotiation from TCP. Both are per network
# namespace. docs/host-agent.md, "Kernel settings".
readonly ACQ_EXPIRES_MARGIN=5
readonly RETRANSMIT_TIMEOUT_DEFAULT=60
readonly RE_DURATION='^([0-9]{1,6})(ms|s|m|h|d)?$'

# Sets variable $1 to the longest retransmit-timeout of the template in force (the request's when it
# brings one, else the installed one) in whole seconds: how long pluto keeps one exchange going
# before the negotiation fails. libreswan's default (60 s) where no conn sets one.
retransmit_timeout() {
  local _template="${IPSECD_DIR}/ipsec-mesh.conf" _line _value _seconds _longest=0 _found=false
  if [ -n "${IN:-}" ] && [ -f "${IN}/config/ipsec-mesh.conf" ]; then _template="${IN}/config/ipsec-mesh.conf"; fi
  if [ -f "$_template" ]; then
    while IFS= read -r _line; do
      _line=${_line%%#*}
      [[ $_line =~ ^[[:space:]]+retransmit-timeout[[:space:]]*=[[:space:]]*([^[:space:]]+) ]] || continue
      _value=${BASH_REMATCH[1]}
      [[ $_value =~ $RE_DURATION ]] || continue
      _seconds=$((10#${BASH_REMATCH[1]}))
      case "${BASH_REMATCH[2]}" in
        ms) _seconds=$(((_seconds + 999) / 1000)) ;;
        m) _seconds=$((_seconds * 60)) ;;
        h) _seconds=$((_seconds * 3600)) ;;
        d) _seconds=$((_seconds * 86400)) ;;
      esac
      _found=true
      [ "$_seconds" -le "$_longest" ] || _longest=$_seconds
    done <"$_template"
  fi
  [ "$_found" = true ] || _longest=$RETRANSMIT_TIMEOUT_DEFAULT
  printf -v "$1" '%s' "$_longest"
}

# Sets variable $1 to the kernel settings the mesh wants, "name value" a line.
kernel_settings() {
  local _timeout
  retransmit_timeout _timeout
  printf -v "$1" '%s\n%s' "net/core/xfrm_acq_expires $((_timeout + ACQ_EXPIRES_MARGIN))" "net/core/xfrm_larval_drop 0"
}

# Sets each setting that differs (builtins: read and written through SYSCTL_DIR), remembering the
# value found the first time in <state>/kernel-settings for uninstall. A setting the kernel does
# not offer or refuses (a read-only /proc/sys) is logged, never a failure.
assert_kernel_settings() {
  local entry name want current file saved="" wanted
  kernel_settings wanted
  while IFS= read -r entry; do
    name=${entry% *}
    want=${entry##* }
    file="${SYSCTL_DIR}/${name}"
    [ -r "$file" ] || continue
    read -r current <"$file" || continue
    [ "$current" != "$want" ] || continue
    if [ -z "$saved" ] && [ -f "${STATE_DIR}/kernel-settings" ]; then read_text saved "${STATE_DIR}/kernel-settings"; fi
    if [[ $'\n'"$saved" != *$'\n'"${name} "* ]]; then
      saved+="${name} ${current}"$'\n'
      write_atomic "${STATE_DIR}/kernel-settings" "$saved"
    fi
    if { printf '%s\n' "$want" >"$file"; } 2>/dev/null; then
      log "set ${name//\//.} to ${want} (it was ${current})"
    else
      log "could not set ${name//\//.} to ${want}; it stays ${current}"
    fi
  done <<<"$wanted"
}

# uninstall: every setting back to the value it had before the agent first changed it.
restore_kernel_settings() {
  local name value file
  [ -f "${STATE_DIR}/kernel-settings" ] || return 0
  while read -r name value; do
    [ -n "$name" ] || continue
    file="${SYSCTL_DIR}/${name}"
    [ -w "$file" ] || continue
    if { printf '%s\n' "$value" >"$file"; } 2>/dev/null; then
      log "put ${name//\//.} back to ${value}"
    else
      log "could not put ${name//\//.} back to ${value}"
    fi
  done <"${STATE_DIR}/kernel-settings"
  rm -f "${STATE_DIR}/kernel-settings"
}
