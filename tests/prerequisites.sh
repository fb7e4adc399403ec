#!/usr/bin/env bash
# Installs what the test suites need when it is missing. Safe to run repeatedly.
set -euo pipefail

need_apt=()
have() { command -v "$1" >/dev/null 2>&1; }
have shellcheck || need_apt+=(shellcheck)
have openssl || need_apt+=(openssl)
have certutil || need_apt+=(libnss3-tools)
have pk12util || need_apt+=(libnss3-tools)
[ -x /usr/libexec/ipsec/pluto ] || need_apt+=(libreswan)
[ -x /usr/bin/linux.uml ] || need_apt+=(user-mode-linux)
have modprobe || need_apt+=(kmod)
have tcpdump || need_apt+=(tcpdump)
have ip || need_apt+=(iproute2)
have ping || need_apt+=(iputils-ping)
# tests/e2e/rootfs.sh builds the libreswan 5 guest's Debian 13 root with it.
have debootstrap || need_apt+=(debootstrap)
# tests/e2e/uml.sh points a newer UML kernel, when this machine's cannot run, at its own C library.
have patchelf || need_apt+=(patchelf)
[ -f /usr/share/keyrings/debian-archive-keyring.gpg ] || need_apt+=(debian-archive-keyring)
# The conformance stage's client: Debian's AWS CLI (2.9 in bookworm) at /usr/bin/aws, whatever else is on PATH.
[ -x /usr/bin/aws ] || need_apt+=(awscli)
have jq || need_apt+=(jq)

if [ "${#need_apt[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "prerequisites: missing ${need_apt[*]}; run as root or install them" >&2
    exit 1
  fi
  echo "prerequisites: installing ${need_apt[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

if [ -f tests/lint/package.json ] && [ ! -d tests/lint/node_modules ]; then
  echo "prerequisites: installing lint tools with npm"
  (cd tests/lint && npm ci --no-audit --no-fund --loglevel=error)
fi
