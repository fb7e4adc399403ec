#!/usr/bin/env bash
# Proves the environment without the controller: a throwaway CA signs a CSR made in each host's
# own NSS db, libreswan runs on stock paths in every host, and a bridge capture shows only ESP
# and IKE between the hosts. Needs a booted guest. Usage: selftest.sh WORKDIR [LABEL]
# LABEL (e.g. "libreswan 5.2") is named on every line.
set -euo pipefail
workdir=$1
tag="selftest${2:+ ($2)}"
here=$(dirname "$(readlink -f "$0")")
# shellcheck source=tests/e2e/spool.sh
. "$here/spool.sh"
pki="$workdir/selftest-pki"
mkdir -p "$pki"
mapfile -t hosts < <(head -n 3 "$workdir/hosts")
started=$SECONDS

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 \
  -subj "/CN=ipsec-mesh e2e selftest CA" -keyout "$pki/ca.key" -out "$pki/ca.crt" 2>/dev/null

for line in "${hosts[@]}"; do
  read -r name address <<<"$line"
  csr=$(spool_run "$workdir" "$name" 60 <<SCRIPT
set -euo pipefail
ipsec initnss >/dev/null
head -c 256 /dev/urandom >/tmp/noise
certutil -R -d sql:/var/lib/ipsec/nss -s "CN=$name.e2e.internal" -k ec -q nistp256 -z /tmp/noise -a -o /tmp/host.csr >/dev/null 2>&1
cat /tmp/host.csr
SCRIPT
)
  printf '%s\n' "$csr" | sed 's/NEW CERTIFICATE REQUEST/CERTIFICATE REQUEST/' >"$pki/$name.csr"
  printf 'subjectAltName=IP:%s,DNS:%s.e2e.internal\nextendedKeyUsage=serverAuth,clientAuth\n' \
    "$address" "$name" >"$pki/$name.ext"
  openssl x509 -req -in "$pki/$name.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" -CAcreateserial \
    -days 1 -extfile "$pki/$name.ext" -out "$pki/$name.crt" 2>/dev/null
  spool_run "$workdir" "$name" 60 >/dev/null <<SCRIPT
set -euo pipefail
certutil -A -d sql:/var/lib/ipsec/nss -n ca -t 'CT,,' -a <<'PEM'
$(cat "$pki/ca.crt")
PEM
certutil -A -d sql:/var/lib/ipsec/nss -n host -t 'u,u,u' -a <<'PEM'
$(cat "$pki/$name.crt")
PEM
cat >/etc/ipsec.d/selftest.conf <<'CONF'
conn oe-base
	left=$address
	leftid=%fromcert
	leftcert=host
	leftsendcert=always
	right=%opportunisticgroup
	rightid=%fromcert
	rightca=%same
	authby=ecdsa
	narrowing=yes
	ikev2=insist
	keyingtries=1
	retransmit-timeout=20s
conn private
	also=oe-base
	type=tunnel
	negotiationshunt=hold
	failureshunt=drop
	auto=ondemand
conn clear
	type=passthrough
	authby=never
	left=$address
	right=%group
	auto=ondemand
CONF
echo 10.99.0.0/24 >/etc/ipsec.d/policies/private
echo $address/32 >/etc/ipsec.d/policies/clear
/usr/libexec/ipsec/pluto --config /etc/ipsec.conf --logfile /var/log/pluto.log
for _ in \$(seq 50); do [ -S /run/pluto/pluto.ctl ] && break; sleep 0.2; done
ipsec addconn --config /etc/ipsec.conf --autoall >/dev/null
ipsec whack --listen >/dev/null
SCRIPT
  echo "$tag: $name: libreswan up with its certificate ($((SECONDS - started))s)"
done

capture="$workdir/selftest.pcap"
spool_run "$workdir" control 30 >/dev/null <<SCRIPT
ip netns exec br tcpdump -i br0 -n -U --immediate-mode -w "$capture" >/run/e2e/selftest-capture.log 2>&1 &
echo \$! >/run/e2e/selftest-capture.pid
until grep -qs listening /run/e2e/selftest-capture.log; do sleep 0.1; done
SCRIPT
for from in "${hosts[@]}"; do
  for to in "${hosts[@]}"; do
    [ "$from" != "$to" ] || continue
    read -r name _ <<<"$from"; read -r peer address <<<"$to"
    pinged=$(spool_run "$workdir" control 60 <<SCRIPT || true
for attempt in \$(seq 15); do
  ip netns exec $name ping -c 1 -W 2 $address >/dev/null 2>&1 && { echo \$attempt; exit 0; }
done
exit 1
SCRIPT
)
    [ -n "$pinged" ] || { echo "$tag: FAILED: $name cannot reach $peer"; exit 1; }
    echo "$tag: $name -> $peer reachable (after $pinged ping attempts)"
  done
done
# Packets still in tcpdump's ring when it stops are lost, and hostfs writes reach the real
# machine when the file is closed: let it drain, then wait for its exit.
spool_run "$workdir" control 30 >/dev/null <<'SCRIPT'
pid=$(cat /run/e2e/selftest-capture.pid)
sleep 0.5
kill -INT "$pid"
while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
SCRIPT
# Algorithm names only: the state dump also holds the SA keys, which never leave the host.
spool_run "$workdir" h1 30 <<'SCRIPT' | sed "s/^/$tag: h1 kernel SAs: /"
ip xfrm state | awk '/^src/ {sa=$2 " > " $4} /aead/ {print sa " " $2}'
SCRIPT

summary=$(tcpdump -nr "$capture" 2>/dev/null | awk '
  / ESP\(/ { esp++ ; next }
  /\.500 > .*\.500: / || /\.4500 > .*\.4500: / { ike++ ; next }
  / ICMP / { icmp++ ; next }
  / IP / { other++ }
  END { printf "esp=%d ike=%d icmp=%d other-ip=%d", esp, ike, icmp, other }')
echo "$tag: bridge capture: $summary"
case "$summary" in
  *"icmp=0 other-ip=0"*) ;;
  *) echo "$tag: FAILED: cleartext on the bridge"; exit 1 ;;
esac
case "$summary" in
  "esp=0 "*) echo "$tag: FAILED: no ESP on the bridge"; exit 1 ;;
esac
echo "$tag: ok in $((SECONDS - started))s"
