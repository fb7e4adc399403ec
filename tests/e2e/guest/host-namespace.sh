#!/bin/bash
# Runs inside one host's network namespace and a private mount namespace (init.sh starts it
# through `ip netns exec NAME unshare --mount --uts --propagation private`). Gives the host its own
# libreswan on the stock paths by bind-mounting per-host directories over them, then becomes
# that host's SSM agent stand-in. Usage: host-namespace.sh NAME WORKDIR
set -euo pipefail
name=$1 workdir=$2
here=$(dirname "$(readlink -f "$0")")
state=/run/e2e/$name
# Read now: the checkout may live under /tmp, which the host gets a private copy of below.
runner=$(cat "$here/spool-runner.sh")

mkdir -p "$state"/{ipsec.d,nss,ipsec-mesh,log,tmp}
cp -a /etc/ipsec.d/. "$state/ipsec.d/"
cp /etc/ipsec.conf "$state/ipsec.conf"
cp /etc/ipsec.secrets "$state/ipsec.secrets"
chmod 0700 "$state/nss" "$state/ipsec-mesh"

# Every path libreswan or the agent writes to is private to this host, so nothing a host does
# reaches the real machine's filesystem or another host.
mount --bind "$state/ipsec.d" /etc/ipsec.d
mount --bind "$state/ipsec.conf" /etc/ipsec.conf
mount --bind "$state/ipsec.secrets" /etc/ipsec.secrets
mount --bind "$state/nss" /var/lib/ipsec/nss
mkdir -p /var/lib/ipsec-mesh 2>/dev/null || true
mount --bind "$state/ipsec-mesh" /var/lib/ipsec-mesh
mount --bind "$state/log" /var/log
mount --bind "$state/tmp" /tmp
# A fresh /run per host: /run/pluto (pid file, control socket) and any lock files under /run.
mount -t tmpfs -o mode=0755 tmpfs /run
mkdir -p /run/pluto /run/lock /run/e2e
mkfifo /run/e2e/tick
hostname "$name"

# The agent's delay between switching its certificate conns to the other set (a 4.x rotation) and
# routing them: the peers renegotiate meanwhile. Under UML a negotiation takes far longer than on a
# real host (0.5 s, the agent's default); 1 s is what the rotation research measured here.
export IPSEC_MESH_SWITCH_DELAY=1

echo "host $name: namespaces ready"
exec bash -c "$runner" spool-runner "$workdir/spool/$name" "$workdir/guest/$name.ready"
