#!/usr/bin/env bash
# Prints the path of a Debian trixie root filesystem for the UML guest (libreswan 5.x), building
# it first when the cache has none for this script. The cache directory's name carries a hash of
# this file, so a change to the package list or to the build steps below builds a new one.
# The build goes to a temporary directory that is renamed into place only when complete: an
# interrupted build is never used (the next run deletes it and starts again). Needs root.
# Installs debootstrap when missing. Progress and the build's time and size go to stderr.
# Usage: tests/e2e/rootfs.sh
# Environment: E2E_ROOTFS_CACHE (default /var/cache/ipsec-mesh-e2e), E2E_DEBIAN_MIRROR (default:
# the Debian mirror apt uses here).
set -euo pipefail
umask 022
export LC_ALL=C

suite=trixie
# What the guest scripts (tests/e2e/guest), the selftest, the driver's guest commands and the host
# agent (controller/HostAgent/Script) run. bash, coreutils (base64, sha1sum, stat, mktemp,
# install), findutils, grep, sed, mawk, util-linux (flock, unshare, mountpoint) and hostname come
# with the minbase variant as required packages. debootstrap resolves no virtual package: bind9-host
# is libreswan's "host".
packages=(
  libreswan bind9-host libnss3-tools openssl
  iproute2 iputils-ping tcpdump
  kmod procps util-linux mount curl
  findutils gawk
)
cache_root=${E2E_ROOTFS_CACHE:-/var/cache/ipsec-mesh-e2e}
self=$(readlink -f "$0")
hash=$(sha256sum "$self")
target="$cache_root/$suite-${hash:0:16}"
marker=.ipsec-mesh-e2e-rootfs

log() { printf 'rootfs: %s\n' "$*" >&2; }

[ "$(id -u)" -eq 0 ] || { log "needs root (debootstrap)"; exit 2; }
mkdir -p "$cache_root"

# One build at a time; a run that waits here uses what the other one built.
exec 8>"$cache_root/.lock"
flock -w 3600 8 || { log "another build held $cache_root/.lock for an hour"; exit 1; }

if [ -f "$target/$marker" ]; then
  touch "$target/$marker"
  printf '%s\n' "$target"
  exit 0
fi

# Interrupted builds (we hold the lock, so none is running) and caches unused for a week.
# debootstrap mounts /proc and /sys inside its target: unmount before deleting anything.
unmount_under() {
  local dir=$1 mountpoint
  while read -r mountpoint; do
    umount -l "$mountpoint" 2>/dev/null || true
  done < <(awk -v d="$dir/" 'index($2, d) == 1 { print $2 }' /proc/self/mounts | sort -r)
}
remove_tree() { unmount_under "$1"; rm -rf --one-file-system "$1"; }
for stale in "$cache_root"/.build-*; do
  if [ -d "$stale" ]; then
    log "removing an interrupted build: $stale"
    remove_tree "$stale"
  elif [ -e "$stale" ]; then
    rm -f "$stale"
  fi
done
for old in "$cache_root/$suite"-*; do
  if [ ! -d "$old" ] || [ "$old" = "$target" ]; then continue; fi
  if [ -z "$(find "$old/$marker" -mtime -7 2>/dev/null)" ]; then
    log "removing an unused root filesystem: $old"
    remove_tree "$old"
  fi
done

missing=()
command -v debootstrap >/dev/null || missing+=(debootstrap)
[ -f /usr/share/keyrings/debian-archive-keyring.gpg ] || missing+=(debian-archive-keyring)
if [ "${#missing[@]}" -gt 0 ]; then
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# bookworm's debootstrap (1.0.128) knows trixie (scripts/trixie -> sid); an older one may not.
[ -e "/usr/share/debootstrap/scripts/$suite" ] || { log "this debootstrap has no script for $suite"; exit 1; }

# The Debian mirror (and apt's HTTP proxy) debootstrap fetches from.
mirror='' # set by debian-mirror.sh
# shellcheck source=tests/e2e/debian-mirror.sh
. "$(dirname "$self")/debian-mirror.sh"

# A directory of that name without the marker is no complete build of ours.
[ ! -e "$target" ] || remove_tree "$target"
started=$SECONDS
build=$(mktemp -d "$cache_root/.build-$suite.XXXXXX")
trap 'remove_tree "$build"' EXIT
chmod 0755 "$build"
log "building $suite (minbase + ${packages[*]}) from $mirror into $target; takes minutes"
includes=$(IFS=,; printf '%s' "${packages[*]}")
if ! debootstrap --variant=minbase --components=main --include="$includes" "$suite" "$build" "$mirror" \
  >"$build.log" 2>&1; then
  log "debootstrap failed:"
  tail -n 20 "$build.log" >&2
  [ -f "$build/debootstrap/debootstrap.log" ] && tail -n 20 "$build/debootstrap/debootstrap.log" >&2
  rm -f "$build.log"
  exit 1
fi
rm -f "$build.log"
unmount_under "$build"

# Everything the guest runs must be there (debootstrap skips an --include it cannot resolve).
for tool in bash ipsec certutil crlutil pk12util openssl ip ping tcpdump modprobe sysctl \
  mount umount unshare mountpoint flock curl base64 sha1sum stat find awk sed grep seq mkfifo \
  readlink hostname; do
  chroot "$build" sh -c "command -v $tool" >/dev/null || { log "$tool is missing from the $suite root"; exit 1; }
done
[ -x "$build/usr/libexec/ipsec/pluto" ] || { log "pluto is missing from the $suite root"; exit 1; }
version=$(chroot "$build" ipsec --version 2>&1 | head -n 1)

# Mount points the guest fills from the real machine; the agent's state directory.
mkdir -p "$build/usr/lib/uml/modules" "$build/var/lib/ipsec-mesh"
# No .debs or package lists: the guest installs nothing.
rm -rf "$build"/var/cache/apt/archives/*.deb "$build"/var/lib/apt/lists/* "$build/debootstrap"

# The guest's PID 1 before the repository is reachable: tmpfs on /tmp and /var/tmp, mounts (hostfs)
# the repository and the work directory at their paths on the real machine, the UML kernel's modules
# (e2e_uml_modules) at /usr/lib/uml/modules,
# makes the cached root read-only for the run, then hands over to the repository's guest init.
cat >"$build/usr/local/sbin/ipsec-mesh-e2e-init" <<'INIT'
#!/bin/bash
# Kernel command-line parameters arrive as environment: e2e_repo, e2e_workdir, e2e_uml_modules.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
# No poweroff in a root without an init system: the kernel's sysrq powers off.
fail() { echo "ipsec-mesh-e2e-init: $*" >&2; echo o >/proc/sysrq-trigger; sleep 5; exit 1; }
mount -t proc proc /proc || { echo "ipsec-mesh-e2e-init: cannot mount /proc" >&2; exit 1; }
[ -n "${e2e_repo:-}" ] && [ -n "${e2e_workdir:-}" ] || fail "e2e_repo or e2e_workdir missing from the kernel command line"
# The root becomes read-only: the temporary directories are the guest's own (first, so that a
# repository or work directory under them is mounted on top and leaves no mount point behind).
for dir in /tmp /var/tmp; do
  mount -t tmpfs -o mode=1777 tmpfs "$dir" || fail "cannot mount a tmpfs on $dir"
done
# hostfs takes the host path as its whole option string. mount(8) of Debian 13 hands options to a
# newer kernel one by one (fsconfig), which hostfs rejects ("Unknown parameter"): use mount(2).
export LIBMOUNT_FORCE_MOUNT2=always
mount_host() {
  mount -t hostfs none "$2" -o "$1" || fail "cannot mount $1 from the real machine"
}
for dir in "$e2e_repo" "$e2e_workdir"; do
  mkdir -p "$dir" && mount_host "$dir" "$dir"
done
mount_host "${e2e_uml_modules:-/usr/lib/uml/modules}" /usr/lib/uml/modules
export e2e_uml_modules=/usr/lib/uml/modules
mount -o remount,ro / || fail "cannot make the root read-only"
umount /proc
exec "$e2e_repo/tests/e2e/guest/init.sh"
INIT
chmod 0755 "$build/usr/local/sbin/ipsec-mesh-e2e-init"
{
  printf 'suite %s\nbuilt %s\nfrom %s\nscript %s\n' "$suite" "$(date -u +%FT%TZ)" "$mirror" "${hash:0:16}"
  printf 'libreswan %s\n' "$version"
  # shellcheck disable=SC2016 # dpkg-query's own ${Field} placeholders
  chroot "$build" dpkg-query -W -f '${Package} ${Version}\n' "${packages[@]}"
} >"$build/$marker"

size=$(du -sm --one-file-system "$build" | cut -f1)
mv -T "$build" "$target"
trap - EXIT
log "built $suite in $((SECONDS - started))s: ${size} MiB, $version, at $target"
printf '%s\n' "$target"
