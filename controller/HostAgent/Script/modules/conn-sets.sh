# The certificate conns' two name sets: rendering, the set in force, and the switch between them on libreswan 4.x.
# shellcheck shell=bash

# pluto runs private, private-or-clear and clear-or-private as private~a … or as private~b …;
# clear and block keep their names. Each set reads its own copies of the three policy files
# (policies/private~a …, kept equal to policies/private …) and presents the host certificate under
# its own NSS nickname (~a: ipsec-mesh-host, ~b: ipsec-mesh-host~b). On libreswan 4.x a new
# certificate goes in under the other set's nickname, the other set is loaded beside the one in
# force, and one `whack --listen` moves every CIDR to it (switch_conn_set): nothing is torn down
# but the old set's SAs, which the peers renegotiate with the new set at their next packet.
# The conns file in force (ipsec-mesh.conf, rendered for its set) says which set that is; the
# agent records it in <state>/conn-set. Conns loaded by an agent older than the sets have no
# suffix (the "legacy" set ""): the next reload renames them.

readonly CONN_FILE="${IPSECD_DIR}/ipsec-mesh.conf"
# The set being switched to, beside the one in force (pluto reads both through ipsec.conf's include).
readonly NEXT_CONN_FILE="${IPSECD_DIR}/ipsec-mesh-next.conf"
readonly RE_PRIVATE_CONN='^conn[[:space:]]+private(~[ab])?([[:space:]]|#|$)'
readonly RE_CONN_HEADER='^conn[[:space:]]+([^[:space:]#]+)(.*)$'
readonly RE_ALSO_LINE='^([[:space:]]+also[[:space:]]*=[[:space:]]*)([^[:space:]#]+)(.*)$'
readonly RE_LEFTCERT_LINE='^([[:space:]]+leftcert[[:space:]]*=[[:space:]]*)([^[:space:]#]+)(.*)$'
readonly RE_SET_SUFFIX='^(.+)~[ab]$'

# Sets variable $1 to the set the conns file $2 (the one in force by default) is rendered for:
# ~a, ~b, "" (legacy names), or "none" (no file, or no private conn in it).
conn_set_of() {
  local _file=${2:-$CONN_FILE} _line
  printf -v "$1" '%s' none
  [ -f "$_file" ] || return 0
  while IFS= read -r _line || [ -n "$_line" ]; do
    if [[ $_line =~ $RE_PRIVATE_CONN ]]; then
      printf -v "$1" '%s' "${BASH_REMATCH[1]}"
      return 0
    fi
  done <"$_file"
}

# Sets variable $1 to the set a config is staged for: the set in force, ~a when there is none yet
# or the conns in force still have legacy names.
staging_set() {
  local _current
  conn_set_of _current
  case $_current in
    "~a" | "~b") printf -v "$1" '%s' "$_current" ;;
    *) printf -v "$1" '%s' "~a" ;;
  esac
}

# Sets variable $1 to the NSS nickname of the host certificate of set $2.
set_nick() {
  if [ "$2" = "~b" ]; then printf -v "$1" '%s' "${HOST_NICK}~b"; else printf -v "$1" '%s' "$HOST_NICK"; fi
}

# Sets variable $1 to the set a certificate change switches to from set $2.
other_set() {
  if [ "$2" = "~a" ]; then printf -v "$1" '%s' "~b"; else printf -v "$1" '%s' "~a"; fi
}

# Sets variable $1 to conn name $2 as set $3 names it; clear, block and %default keep their names.
set_conn_name() {
  local _name=$2
  if [[ $_name =~ $RE_SET_SUFFIX ]]; then _name=${BASH_REMATCH[1]}; fi
  case $_name in
    clear | block | %default) ;;
    *) _name+=$3 ;;
  esac
  printf -v "$1" '%s' "$_name"
}

# Writes the conns file $1, rendered for set $3, to $2: every conn but clear and block renamed into
# the set (and every also= naming one), leftcert the set's nickname; every other line as it is.
render_conn_set() {
  local source=$1 target=$2 set=$3 line name head rest text="" nick
  set_nick nick "$set"
  while IFS= read -r line || [ -n "$line" ]; do
    if [[ $line =~ $RE_CONN_HEADER ]]; then
      rest=${BASH_REMATCH[2]}
      set_conn_name name "${BASH_REMATCH[1]}" "$set"
      line="conn ${name}${rest}"
    elif [[ $line =~ $RE_ALSO_LINE ]]; then
      head=${BASH_REMATCH[1]}
      rest=${BASH_REMATCH[3]}
      set_conn_name name "${BASH_REMATCH[2]}" "$set"
      line="${head}${name}${rest}"
    elif [[ $line =~ $RE_LEFTCERT_LINE ]]; then
      line="${BASH_REMATCH[1]}${nick}${BASH_REMATCH[3]}"
    fi
    text+="${line}"$'\n'
  done <"$source"
  printf '%s' "$text" >"$target"
}

# Sets array variable $1 to the conns of set $2 in the order a reload adds them: clear and block
# first, so that they are the oldest policy groups. (pluto 4.10 merges the group targets of a
# --listen with the previous ones as two sorted lists, but builds them in reverse reading order,
# newest group first: only a common head survives unchanged. With clear and block oldest, a switch
# keeps their templates and replaces only the certificate conns' ones.)
set_conns() {
  local -n _conns=$1
  _conns=(clear block)
  local group
  for group in "${CERT_GROUPS[@]}"; do _conns+=("${group}${2}"); done
}

# The set's copies of the policy files, equal to the files the config put in force (builtins; a
# rename only for a copy that changed). The legacy set reads the files themselves.
sync_set_policies() {
  local set=$1 group text
  [ -n "$set" ] || return 0
  mkdir -p "${IPSECD_DIR}/policies"
  for group in "${CERT_GROUPS[@]}"; do
    if [ -f "${IPSECD_DIR}/policies/${group}" ] && [ -f "${IPSECD_DIR}/policies/${group}${set}" ] \
      && same_text "${IPSECD_DIR}/policies/${group}" "${IPSECD_DIR}/policies/${group}${set}"; then
      continue
    fi
    text=""
    if [ -f "${IPSECD_DIR}/policies/${group}" ]; then read_text text "${IPSECD_DIR}/policies/${group}"; fi
    write_atomic "${IPSECD_DIR}/policies/${group}${set}" "$text" 0644
  done
}

# Empties set $1's copies of the policy files: at the next --listen its groups have no targets.
empty_set_policies() {
  local group
  [ -n "$1" ] || return 0
  for group in "${CERT_GROUPS[@]}"; do
    if [ -f "${IPSECD_DIR}/policies/${group}${1}" ]; then : >"${IPSECD_DIR}/policies/${group}${1}"; fi
  done
}

# Removes the copies of the policy files of every set but $1 (all of them with $1 = "").
remove_other_set_policies() {
  local set group
  local -a files=()
  for set in "${CONN_SETS[@]}"; do
    [ "$set" != "$1" ] || continue
    for group in "${CERT_GROUPS[@]}"; do
      if [ -e "${IPSECD_DIR}/policies/${group}${set}" ]; then files+=("${IPSECD_DIR}/policies/${group}${set}"); fi
    done
  done
  if [ "${#files[@]}" -gt 0 ]; then rm -f "${files[@]}"; fi
}

# <state>/conn-set names the set in force, as the conns file in force says (legacy or none: absent).
record_conn_set() {
  local set recorded=""
  conn_set_of set
  if [ -f "${STATE_DIR}/conn-set" ]; then read -r recorded <"${STATE_DIR}/conn-set" || recorded=""; fi
  case $set in
    "~a" | "~b")
      [ "$recorded" = "$set" ] || write_atomic "${STATE_DIR}/conn-set" "${set}"$'\n'
      ;;
    *) if [ -f "${STATE_DIR}/conn-set" ]; then rm -f "${STATE_DIR}/conn-set"; fi ;;
  esac
}

# A run killed while it switched sets leaves the next set's conns file: the conns file in force
# still names the set pluto is to run (the switch had not committed), and the reload after it
# (conns-loaded is gone) loads that set again.
recover_conn_set() {
  if [ -f "$NEXT_CONN_FILE" ]; then
    log "removing ${NEXT_CONN_FILE}, left by a run killed while it switched the certificate conns"
    rm -f "$NEXT_CONN_FILE"
  fi
}

# Sets variable $1 to the NSS nickname pluto lists for the end certificate of serial $2 (lower-case
# hex as cert_serial prints it), "" when none: `whack --listcerts` names every certificate by its
# own nickname (certutil -L -n prints every certificate of the nickname's subject).
readonly RE_LISTED_CERT='End certificate "([^"]*)" - SN: 0x([0-9a-fA-F]+)'

nick_of_serial() {
  local _listing _line _serial
  printf -v "$1" '%s' ""
  _listing="$(pluto_whack --listcerts 2>/dev/null)" || return 0
  while IFS= read -r _line; do
    [[ $_line =~ $RE_LISTED_CERT ]] || continue
    _serial=${BASH_REMATCH[2],,}
    while [ "${#_serial}" -gt 2 ] && [[ $_serial == 00* ]]; do _serial=${_serial#00}; done
    if [ "$_serial" = "$2" ]; then
      printf -v "$1" '%s' "${BASH_REMATCH[1]##*:}"
      return 0
    fi
  done <<<"$_listing"
}

# After the new certificate (serial $3) went into NSS beside the one in force (serial $4, nickname
# $1), files each under its own nickname: the new one under $2. pk12util files a certificate under
# the nickname NSS already has for its subject (the one in force, for a renewal), and certutil
# --rename of a nickname two certificates share renames the newer one; pluto's list says which
# went where, and a swap puts them right. Returns non-zero, BESIDE_ERROR saying why, when they
# cannot be told apart.
BESIDE_ERROR=""
file_new_cert_beside() {
  local current=$1 target=$2 new_serial=$3 old_serial=$4 new_nick old_nick
  nick_of_serial new_nick "$new_serial"
  if [ -z "$new_nick" ]; then
    BESIDE_ERROR="pluto does not list the new host certificate (serial ${new_serial})"
    return 1
  fi
  if [ "$new_nick" != "$target" ] && ! quiet certutil --rename -d "sql:${NSS_DIR}" -n "$new_nick" --new-n "$target"; then
    BESIDE_ERROR="could not name the new host certificate ${target}"
    return 1
  fi
  nick_of_serial new_nick "$new_serial"
  nick_of_serial old_nick "$old_serial"
  if [ "$new_nick" = "$current" ] && [ "$old_nick" = "$target" ]; then
    log "the rename took the previous certificate: swapping the nicknames"
    if ! { quiet certutil --rename -d "sql:${NSS_DIR}" -n "$current" --new-n "${HOST_NICK}~swap" \
      && quiet certutil --rename -d "sql:${NSS_DIR}" -n "$target" --new-n "$current" \
      && quiet certutil --rename -d "sql:${NSS_DIR}" -n "${HOST_NICK}~swap" --new-n "$target"; }; then
      BESIDE_ERROR="could not swap the host certificates' nicknames"
      return 1
    fi
    nick_of_serial new_nick "$new_serial"
    nick_of_serial old_nick "$old_serial"
  fi
  if [ "$new_nick" != "$target" ] || [ "$old_nick" != "$current" ]; then
    BESIDE_ERROR="the new host certificate is under '${new_nick}' and the previous one under '${old_nick}', not ${target} and ${current}"
    return 1
  fi
}

# Sets array variable $1 to the names of pluto's group templates (group#cidr, not their instances)
# of the groups in the following arguments, from one `whack --status`.
group_templates() {
  local -n _templates=$1
  shift
  local status line name group
  local -A seen=() wanted=()
  _templates=()
  for group in "$@"; do wanted[$group]=1; done
  status="$(pluto_whack --status 2>/dev/null)" || return 0
  while IFS= read -r line; do
    [[ $line =~ ^(000\ )?\"(([^\"#]+)#[^\"]+)\":\  ]] || continue
    name=${BASH_REMATCH[2]}
    group=${BASH_REMATCH[3]}
    if [ -n "${wanted[$group]:-}" ] && [ -z "${seen[$name]:-}" ]; then
      seen[$name]=1
      _templates+=("$name")
    fi
  done <<<"$status"
}

# Routes the routed groups of set $1 and each of their templates by name: `whack --route --name
# <group>` skips a template that already has an instance (pluto 4.10 finds the instance by the
# template's name), so a peer that renegotiated during the delay would leave that template without
# its trap. Returns non-zero when pluto refuses one.
route_set() {
  local set=$1 listed group template
  local -a groups=() templates=()
  listed=" $(ipsec_tool addconn --config "$IPSEC_CONF" --listroute 2>/dev/null) "
  listed=${listed//[[:space:]]/ }
  for group in "${CERT_GROUPS[@]}"; do
    [[ $listed == *" ${group}${set} "* ]] || continue
    groups+=("${group}${set}")
    quiet pluto_whack --route --name "${group}${set}" || return 1
  done
  [ "${#groups[@]}" -gt 0 ] || return 0
  group_templates templates "${groups[@]}"
  for template in "${templates[@]}"; do
    quiet pluto_whack --route --name "$template" || return 1
  done
}

# The switch (libreswan 4.x, pluto running with set $1 loaded and routed, the new certificate
# under set $2's nickname): set $2 is rendered beside set $1 and added (new names: nothing is
# replaced); under the reload guard, set $1's policy copies are emptied and one `whack --listen`
# moves every CIDR to set $2 — pluto deletes set $1's templates and instances (Deletes to the
# peers) and adds set $2's, unrouted, in the same event. After SWITCH_DELAY, during which the
# peers renegotiate with set $2 (this host has no trap to initiate with), set $2 is routed, the
# guard lifted, its conns file put in force, and set $1's conns deleted. Any failure on the way
# falls back to a reload of set $2 (what a 4.x rotation was before: a teardown, but the new
# certificate in force).
switch_conn_set() {
  local from=$1 to=$2 conn group
  local -a conns=()
  log "switching the certificate conns from set ${from} to set ${to}"
  CONNS_TOUCHED=true
  rm -f "${STATE_DIR}/conns-loaded"
  umask 022
  render_conn_set "$CONN_FILE" "${NEXT_CONN_FILE}.ipsec-mesh-new" "$to"
  umask 077
  mv -f "${NEXT_CONN_FILE}.ipsec-mesh-new" "$NEXT_CONN_FILE"
  sync_set_policies "$to"
  for group in "${CERT_GROUPS[@]}"; do conns+=("${group}${to}"); done
  for conn in "${conns[@]}"; do
    if ! add_conn "$conn"; then
      switch_fallback "$to" "$ADD_CONN_ERROR"
      return 0
    fi
  done
  test_kill_point conn-set-added
  guard_private_networks
  empty_set_policies "$from"
  if ! quiet pluto_whack --listen; then
    switch_fallback "$to" "pluto refused the --listen that switches the sets"
    return 0
  fi
  test_kill_point conn-set-switched
  sleep "$SWITCH_DELAY"
  if ! route_set "$to"; then
    switch_fallback "$to" "pluto could not route set ${to}"
    return 0
  fi
  remove_reload_guard
  mv -f "$NEXT_CONN_FILE" "$CONN_FILE"
  for group in "${CERT_GROUPS[@]}"; do pluto_whack --delete --name "${group}${from}" >/dev/null 2>&1 || true; done
  remove_other_set_policies "$to"
  record_conn_set
  : >"${STATE_DIR}/conns-loaded"
  CONN_SET_SWITCHED=true
  log "the certificate conns run as set ${to}"
}

# Puts set $1's conns file in force and reloads every conn from it (the guard covers the reload).
switch_fallback() {
  log "switching sets failed: ${2}; reloading the conns as set ${1} instead"
  mv -f "$NEXT_CONN_FILE" "$CONN_FILE"
  reload_conns
}
