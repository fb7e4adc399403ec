# The reload guard: block policies covering the private networks while pluto's are not in the kernel.
# shellcheck shell=bash

# Between deleting the conns and routing them again the kernel holds none of pluto's policies,
# and traffic to `private` peers would leave (and be accepted) in clear. Meanwhile block
# policies at the lowest precedence cover those networks, with allow policies for the `clear`
# group (this host's own addresses, metadata); as in libreswan the longer prefix wins, and
# allow wins between equal prefixes. pluto's policies take precedence over all of them once
# they are back. Left in place if the reload fails: `private` means encrypted or nothing, and
# the next reload or uninstall removes them.
readonly GUARD_PRIORITY_BASE=4000000000
readonly GUARD_PRIORITY_SPAN=258

# Prints the `ip -batch` lines of one guard policy pair (outbound and inbound).
guard_policy() {
  local network=$1 action=$2 priority any=0.0.0.0/0
  [[ $network == *:* ]] && any=::/0
  priority=$((GUARD_PRIORITY_BASE + (128 - ${network##*/}) * 2))
  [ "$action" = allow ] || priority=$((priority + 1))
  printf 'xfrm policy update src %s dst %s dir out action %s priority %s\n' "$any" "$network" "$action" "$priority"
  printf 'xfrm policy update src %s dst %s dir in action %s priority %s\n' "$network" "$any" "$action" "$priority"
}

policy_networks() {
  local line
  [ -f "${IPSECD_DIR}/policies/$1" ] || return 0
  while IFS= read -r line || [ -n "$line" ]; do
    line=${line%%#*}
    line=${line//[[:space:]]/}
    [ -z "$line" ] || printf '%s\n' "$line"
  done <"${IPSECD_DIR}/policies/$1"
}

# One `ip` process for all of them: process creation is what a reload waits on in slow guests.
guard_private_networks() {
  local network private
  private="$(policy_networks private)"
  [ -n "$private" ] && have ip || return 0
  {
    while IFS= read -r network; do
      [ -z "$network" ] || guard_policy "$network" allow
    done <<<"$(policy_networks clear)"
    while IFS= read -r network; do
      guard_policy "$network" block
    done <<<"$private"
  } >"${WORK}/guard.batch"
  quiet ip -force -batch "${WORK}/guard.batch" || log "some reload guard policies could not be added; see the agent log"
}

# One deleteall per priority in use (deleteall inside `ip -batch` left the policies in place).
remove_reload_guard() {
  local line priority listing
  declare -A seen=()
  have ip || return 0
  listing="$(ip xfrm policy list 2>/dev/null)" || return 0
  while IFS= read -r line; do
    [[ $line =~ priority\ ([0-9]+) ]] || continue
    priority=${BASH_REMATCH[1]}
    if ((priority >= GUARD_PRIORITY_BASE && priority < GUARD_PRIORITY_BASE + GUARD_PRIORITY_SPAN)) && [ -z "${seen[$priority]:-}" ]; then
      seen[$priority]=1
      quiet ip xfrm policy deleteall priority "$priority" || log "could not remove the reload guard's policies at priority ${priority}"
    fi
  done <<<"$listing"
}
