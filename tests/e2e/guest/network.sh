# shellcheck shell=bash
# Sourced by init.sh. One namespace "br" holds the bridge br0; each host gets its own network
# namespace with eth0 (a veth whose peer is a bridge port). The hosts file has one host per
# line: "<name> <ipv4>". All addresses live only inside these namespaces.

build_network() {
  local hosts_file=$1 name address
  mkdir -p /run/e2e /run/netns || return 1
  mkfifo /run/e2e/tick || return 1
  # No IPv6 in any namespace: the bridge carries only what the scenarios send.
  ip netns add br || return 1
  ip netns exec br sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 || return 1
  ip -n br link set lo up || return 1
  ip -n br link add br0 type bridge stp_state 0 forward_delay 0 mcast_snooping 0 || return 1
  ip -n br link set br0 up || return 1
  while read -r name address; do
    [ -n "$name" ] || continue
    ip netns add "$name" || return 1
    ip netns exec "$name" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 || return 1
    ip link add "p-$name" netns br type veth peer name eth0 netns "$name" || return 1
    ip -n br link set "p-$name" master br0 up || return 1
    ip -n "$name" link set lo up || return 1
    ip -n "$name" addr add "$address/24" dev eth0 || return 1
    ip -n "$name" link set eth0 up || return 1
    # Like a VPC subnet's router at base + 1 (nobody answers there): the conn template's
    # left=%defaultroute needs a default route to find the host's own address.
    ip -n "$name" route add default via "${address%.*}.1" dev eth0 || return 1
  done <"$hosts_file"
}
