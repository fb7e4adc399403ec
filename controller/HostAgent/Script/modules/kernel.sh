# Kernel settings the mesh needs in the host's network namespace, and putting back what they were.
# shellcheck shell=bash

# net.core.xfrm_acq_expires=3: the larval ACQUIRE state a negotiation leaves in the kernel otherwise
# blocks every new acquire for that pair for 30 s, so a pair torn down again within 30 s (a peer's
# own rotation right after this host's) stays dark that long. net.core.xfrm_larval_drop=0: packets
# of a flow whose SA is being negotiated are queued, not dropped (libreswan 4.x implements
# negotiationshunt=hold as nothing), which also hides a renegotiation from TCP. Both are per
# network namespace. docs/host-agent.md, "Kernel settings".
readonly KERNEL_SETTINGS=("net/core/xfrm_acq_expires 3" "net/core/xfrm_larval_drop 0")

# Sets each setting that differs (builtins: read and written through SYSCTL_DIR), remembering the
# value found the first time in <state>/kernel-settings for uninstall. A setting the kernel does
# not offer or refuses (a read-only /proc/sys) is logged, never a failure.
assert_kernel_settings() {
  local entry name want current file saved=""
  for entry in "${KERNEL_SETTINGS[@]}"; do
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
  done
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
