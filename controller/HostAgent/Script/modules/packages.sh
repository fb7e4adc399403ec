# Packages: the distribution's package manager and the installs the agent needs.
# shellcheck shell=bash

package_manager() {
  if have dnf; then echo dnf
  elif have yum; then echo yum
  elif have apt-get; then echo apt-get
  fi
}

# Installs packages through the distribution's package manager, which verifies signatures.
install_packages() {
  local manager=$1
  shift
  case $manager in
    dnf | yum) quiet "$manager" -y install "$@" ;;
    apt-get)
      quiet env DEBIAN_FRONTEND=noninteractive apt-get update -q &&
        quiet env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" ;;
    *) return 1 ;;
  esac
}

ensure_packages() {
  local manager missing=()
  have ipsec || missing+=(libreswan)
  have openssl || missing+=(openssl)
  have flock || missing+=(util-linux)
  [ "${#missing[@]}" -eq 0 ] && return 0
  manager="$(package_manager)"
  [ -n "$manager" ] || fail unsupported_os "no dnf, yum or apt-get to install ${missing[*]}"
  if [ "$manager" = apt-get ] && ! have certutil; then missing+=(libnss3-tools); fi
  if [ "$manager" != apt-get ] && ! have certutil; then missing+=(nss-tools); fi
  log "installing ${missing[*]} with ${manager}"
  install_packages "$manager" "${missing[@]}" || fail install_failed "${manager} could not install ${missing[*]}"
  if [[ " ${missing[*]} " == *" libreswan "* ]]; then write_atomic "${STATE_DIR}/package-installed-by" "${manager}"$'\n'; fi
  have ipsec || fail install_failed "libreswan is still missing after ${manager} install"
}
