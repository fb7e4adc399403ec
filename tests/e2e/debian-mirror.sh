# shellcheck shell=bash
# Sourced by rootfs.sh and uml.sh. Sets `mirror` to the Debian archive to fetch from:
# E2E_DEBIAN_MIRROR, else the one apt uses for this machine's own release (the main archive, not
# security), else deb.debian.org; exports http_proxy when apt is configured with an HTTP proxy.
mirror=${E2E_DEBIAN_MIRROR:-}
if [ -z "$mirror" ]; then
  # shellcheck disable=SC1091 # the machine's, not ours
  codename=$(. /etc/os-release && printf '%s' "${VERSION_CODENAME:-}")
  # shellcheck disable=SC2016 # apt's own $(FIELD) placeholders
  mirror=$(apt-get indextargets --format '$(REPO_URI) $(RELEASE) $(COMPONENT)' 'Identifier: Packages' 2>/dev/null |
    awk -v c="$codename" '$2 == c && $3 == "main" { print $1; exit }')
  mirror=${mirror:-http://deb.debian.org/debian/}
fi
proxy=''
eval "$(apt-config shell proxy Acquire::http::Proxy)"
if [ -n "$proxy" ] && [ "$proxy" != DIRECT ]; then export http_proxy=$proxy; fi
