# Host facts: installed tools, libreswan's version and NSS directory, and how to reach pluto.
# shellcheck shell=bash

have() { command -v "$1" >/dev/null 2>&1; }

libreswan_version() {
  local out
  have ipsec || return 0
  out="$(ipsec --version 2>/dev/null)" || return 0
  if [[ $out =~ ([0-9]+\.[0-9]+(\.[0-9]+)?) ]]; then printf '%s' "${BASH_REMATCH[1]}"; fi
}

libreswan_major() {
  local version
  version="$(libreswan_version)"
  printf '%s' "${version%%.*}"
}

# The NSS directory the installed libreswan uses: 5.x answers `ipsec --nssdir`; 4.x prints its
# compiled-in default in `ipsec initnss --help`; older builds used /etc/ipsec.d.
detect_nss_dir() {
  local out
  [ -n "$NSS_DIR" ] && return 0
  if have ipsec; then
    out="$(ipsec --nssdir 2>/dev/null)" || out=""
    if [[ $out =~ ^(/[^[:space:]]*) ]]; then NSS_DIR=${BASH_REMATCH[1]}; return 0; fi
    out="$(ipsec initnss --help 2>&1)" || true
    if [[ $out =~ --nssdir\ (/[^][:space:]]*) ]]; then NSS_DIR=${BASH_REMATCH[1]}; return 0; fi
  fi
  if [ -f /etc/ipsec.d/cert9.db ]; then NSS_DIR=/etc/ipsec.d; else NSS_DIR=/var/lib/ipsec/nss; fi
}

nss_ready() { [ -f "${NSS_DIR}/cert9.db" ] && [ -f "${NSS_DIR}/key4.db" ]; }

require_nss() {
  local damage
  detect_nss_dir
  have certutil || fail nss_failed "certutil (NSS tools) is not installed; run install first"
  nss_ready || fail nss_failed "the NSS database at ${NSS_DIR} does not exist; run install first"
  damage="$(nss_damage)"
  [ -z "$damage" ] || fail nss_failed "the NSS database at ${NSS_DIR} is damaged (${damage}); install re-creates it"
}

# install refuses libreswan older than 4.0 (the conns rely on 4.x keywords and behaviour). A
# version that cannot be read is let through: the config check and the conn loads still judge it.
require_supported_libreswan() {
  local version
  version="$(libreswan_version)"
  if [ -z "$version" ]; then
    log "could not read libreswan's version from ipsec --version"
    return 0
  fi
  [ "${version%%.*}" -ge 4 ] || fail unsupported_version "libreswan ${version} is older than 4.0"
}

ipsec_tool() {
  local tool=$1
  shift
  if [ -x "${IPSEC_LIBEXEC}/${tool}" ]; then "${IPSEC_LIBEXEC}/${tool}" "$@"; else ipsec "$tool" "$@"; fi
}

pluto_whack() { ipsec_tool whack --ctlsocket "$CTL_SOCKET" "$@"; }

pluto_running() {
  have ipsec || return 1
  [ -S "$CTL_SOCKET" ] || return 1
  pluto_whack --status >/dev/null 2>&1
}

use_systemd() {
  case $INIT_MODE in
    systemd) return 0 ;;
    direct) return 1 ;;
    *) [ -d /run/systemd/system ] && have systemctl ;;
  esac
}
