# shellcheck shell=bash
# Sourced by init.sh. The UML kernel's modules live in e2e_uml_modules (kernel command line, from
# tests/e2e/uml.sh; default /usr/lib/uml/modules), not in the real machine's /lib/modules, so
# modprobe gets a private root on tmpfs. The kernel's own module requests (e.g. crypto templates
# for an rfc4106(gcm(aes)) SA) go through the same wrapper.

uml_module_root=/run/uml-modules-root
uml_modprobe=/run/uml-modprobe

load_uml_modules() {
  mkdir -p "$uml_module_root/lib" || return 1
  ln -sfn "${e2e_uml_modules:-/usr/lib/uml/modules}" "$uml_module_root/lib/modules" || return 1
  cat >"$uml_modprobe" <<WRAPPER || return 1
#!/bin/sh
exec /sbin/modprobe -d $uml_module_root "\$@"
WRAPPER
  chmod 0755 "$uml_modprobe" || return 1
  printf '%s\n' "$uml_modprobe" >/proc/sys/kernel/modprobe || return 1
  local module
  for module in xfrm_user esp4 veth bridge gcm ctr cbc authenc seqiv echainiv chacha20poly1305 \
    hmac cryptomgr; do
    "$uml_modprobe" "$module" || { echo "modprobe $module failed" >&2; return 1; }
  done
  # Named *-generic up to Linux 6.x; in 7.x the plain module, or gone into the crypto library (the
  # kernel's own request then finds what an SA needs).
  for module in ghash sha256 sha512; do
    "$uml_modprobe" -q "$module-generic" || "$uml_modprobe" -q "$module" ||
      echo "no $module-generic or $module module: left to the kernel's own requests" >&2
  done
}
