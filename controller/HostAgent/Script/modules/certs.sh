# Certificates and keys with openssl: CKA_ID, serial, expiry and fingerprint.
# shellcheck shell=bash

require_openssl() {
  have openssl || fail internal "openssl is not installed; run install first"
}

hex_to_file() {
  local hex=$1 escaped="" i
  [ $((${#hex} % 2)) -eq 0 ] || hex="0${hex}"
  for ((i = 0; i < ${#hex}; i += 2)); do escaped+="\\x${hex:i:2}"; done
  printf '%b' "$escaped" >"$2"
}

# NSS's CKA_ID of a public key: SHA-1 of the RSA modulus or of the EC point.
ckaid_of() {
  local kind=$1 file=$2 modulus der
  if [ "$kind" = req ]; then
    openssl req -in "$file" -pubkey -noout >"${WORK}/ckaid.pub" 2>/dev/null || return 1
  else
    openssl x509 -in "$file" -pubkey -noout >"${WORK}/ckaid.pub" 2>/dev/null || return 1
  fi
  if modulus="$(openssl rsa -pubin -in "${WORK}/ckaid.pub" -noout -modulus 2>/dev/null)"; then
    hex_to_file "${modulus#Modulus=}" "${WORK}/ckaid.bin"
  else
    openssl pkey -pubin -in "${WORK}/ckaid.pub" -outform DER -out "${WORK}/ckaid.der" 2>/dev/null || return 1
    der=$(stat -c %s "${WORK}/ckaid.der")
    # An uncompressed P-256 point is the last 65 bytes of the SubjectPublicKeyInfo.
    tail -c 65 "${WORK}/ckaid.der" >"${WORK}/ckaid.bin"
    [ "$der" -gt 65 ] || return 1
  fi
  sha1sum "${WORK}/ckaid.bin" >"${WORK}/ckaid.sum"
  local sum
  read -r sum _ <"${WORK}/ckaid.sum"
  printf '%s' "$sum"
}

cert_serial() {
  local serial
  serial="$(openssl x509 -in "$1" -noout -serial)"
  serial=${serial#serial=}
  serial=${serial,,}
  # Whole bytes, without DER's sign-padding zero bytes: 0x0abc is "0abc", 0x80 is "80".
  while [ "${#serial}" -gt 2 ] && [[ $serial == 00* ]]; do serial=${serial#00}; done
  printf '%s' "$serial"
}

cert_not_after() {
  local end
  end="$(openssl x509 -in "$1" -noout -enddate)"
  date -u -d "${end#notAfter=}" +%Y-%m-%dT%H:%M:%SZ
}

cert_fingerprint() {
  local fp
  fp="$(openssl x509 -in "$1" -noout -fingerprint -sha256)"
  fp=${fp#*=}
  fp=${fp//:/}
  printf '%s' "${fp,,}"
}
