#!/usr/bin/env bash
# Prints two lines: the path of a User-Mode Linux kernel that runs on this machine, and the
# directory of its modules (the directory holding <release>/modules.dep).
#
# Debian 12's user-mode-linux (6.1) and Debian 13's (6.12) die at their first user process on
# newer host kernels (seen on a 6.18 host: "userspace - ptrace set fp regs failed, errno = 14", the
# host refusing an XSTATE buffer of the size those kernels save), so every kernel is proved first:
# it boots with this machine's / as its root and init=/bin/true, which must run and exit 0.
# Order: E2E_UML (a kernel binary; its modules in E2E_UML_MODULES, default
# /usr/lib/uml/modules), else the installed /usr/bin/linux.uml, else the newest user-mode-linux of
# the Debian suite E2E_UML_SUITE (default forky) with that suite's C library beside it, fetched
# once with apt (which checks it against the archive's signed index) into the cache and patched
# (patchelf) to load that C library instead of this machine's older one. Needs root for the fetch.
# Environment: E2E_UML, E2E_UML_MODULES, E2E_UML_SUITE, E2E_ROOTFS_CACHE (default
# /var/cache/ipsec-mesh-e2e), E2E_DEBIAN_MIRROR.
set -euo pipefail
umask 022
export LC_ALL=C
self=$(readlink -f "$0")
cache_root=${E2E_ROOTFS_CACHE:-/var/cache/ipsec-mesh-e2e}
suite=${E2E_UML_SUITE:-forky}
marker=.ipsec-mesh-e2e-uml

log() { printf 'uml: %s\n' "$*" >&2; }

# Boots the kernel $1 until its init (/bin/true) exits; the kernel then panics with init's exit
# status, which is the proof: 0 when a user process ran, 0x0b (SIGSEGV) on the failure above.
boots() {
  local kernel=$1 scratch out
  scratch=$(mktemp -d)
  out=$(cd "$scratch" && timeout 60 "$kernel" mem=64M root=/dev/root rootfstype=hostfs rootflags=/ ro \
    init=/bin/true con=null con0=fd:0,fd:1 quiet </dev/null 2>&1) || true
  rm -rf "$scratch"
  if grep -q 'exitcode=0x00000000' <<<"$out"; then return 0; fi
  log "$kernel cannot run a user process here: $(grep -m 1 -E 'ptrace|errno|panic' <<<"$out" || echo 'no output')"
  return 1
}

# The two lines this script prints, then done.
use() { printf '%s\n%s\n' "$1" "$2"; exit 0; }

if [ -n "${E2E_UML:-}" ]; then
  boots "$E2E_UML" || exit 1
  use "$E2E_UML" "${E2E_UML_MODULES:-/usr/lib/uml/modules}"
fi
if [ -x /usr/bin/linux.uml ] && boots /usr/bin/linux.uml; then use /usr/bin/linux.uml /usr/lib/uml/modules; fi

[ "$(id -u)" -eq 0 ] || { log "needs root to fetch a newer kernel into $cache_root"; exit 2; }
mkdir -p "$cache_root"
exec 8>"$cache_root/.uml.lock"
flock -w 600 8 || { log "another fetch held $cache_root/.uml.lock for ten minutes"; exit 1; }

# A cached kernel is used as long as it boots; a fetch replaces it otherwise.
for cached in "$cache_root"/uml-"$suite"-*; do
  [ -f "$cached/$marker" ] || continue
  if boots "$cached/usr/bin/linux.uml"; then
    touch "$cached/$marker"
    use "$cached/usr/bin/linux.uml" "$cached/usr/lib/uml/modules"
  fi
done

command -v patchelf >/dev/null || {
  log "installing patchelf"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends patchelf >/dev/null 2>&1 ||
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends patchelf >/dev/null; }
}
mirror='' # set by debian-mirror.sh
# shellcheck source=tests/e2e/debian-mirror.sh
. "$(dirname "$self")/debian-mirror.sh"

started=$SECONDS
work=$(mktemp -d "$cache_root/.fetch-uml.XXXXXX")
trap 'rm -rf "$work"' EXIT
chmod 0755 "$work"
mkdir -p "$work/apt/lists/partial" "$work/apt/cache/archives/partial" "$work/debs" "$work/root"
printf 'deb %s %s main\n' "$mirror" "$suite" >"$work/apt/sources.list"
apt_in_work=(-q -o "Dir::Etc::SourceList=$work/apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
  -o "Dir::State::Lists=$work/apt/lists" -o "Dir::Cache=$work/apt/cache" -o APT::Sandbox::User=root
  -o Acquire::Languages=none)
log "fetching user-mode-linux and libc6 of Debian $suite from $mirror"
if ! { apt-get "${apt_in_work[@]}" update &&
  (cd "$work/debs" && apt-get "${apt_in_work[@]}" download user-mode-linux libc6); } >"$work/apt.log" 2>&1; then
  log "apt could not fetch them:"
  tail -n 15 "$work/apt.log" >&2
  exit 1
fi

for deb in "$work"/debs/*.deb; do dpkg-deb -x "$deb" "$work/root"; done
loader="$work/root/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"
if [ ! -x "$work/root/usr/bin/linux.uml" ] || [ ! -e "$loader" ]; then
  log "the packages hold no linux.uml or no loader"
  exit 1
fi
version=$(dpkg-deb -f "$work"/debs/user-mode-linux_*.deb Version)
target="$cache_root/uml-$suite-$version"
loader=${loader/#$work\/root/$target}
patchelf --set-interpreter "$loader" --set-rpath "$target/usr/lib/x86_64-linux-gnu" "$work/root/usr/bin/linux.uml"
{
  printf 'suite %s\nfetched %s\nfrom %s\n' "$suite" "$(date -u +%FT%TZ)" "$mirror"
  for deb in "$work"/debs/*.deb; do dpkg-deb -f "$deb" Package Version | paste -sd ' '; done
} >"$work/root/$marker"
rm -rf "$target"
mv -T "$work/root" "$target"
boots "$target/usr/bin/linux.uml" || { rm -rf "$target"; exit 1; }
log "user-mode-linux $version of $suite ready in $((SECONDS - started))s at $target"
use "$target/usr/bin/linux.uml" "$target/usr/lib/uml/modules"
