# Config: the request's config files checked and written to ipsec.d, and ipsec.conf's config setup block.
# shellcheck shell=bash

require_config_inputs() {
  local hash file
  hash="$(param configHash)"
  [ -n "$hash" ] || bad_request_verb "param configHash is required"
  has_file config/ipsec-mesh.conf || bad_request_verb "file config/ipsec-mesh.conf is required"
  if [ -d "${IN}/config" ]; then
    while IFS= read -r -d '' file; do
      file=${file#"${IN}/"}
      case $file in
        config/ipsec-mesh.conf) ;;
        config/policies/private | config/policies/clear | config/policies/private-or-clear) ;;
        config/policies/clear-or-private | config/policies/block) ;;
        *) bad_request_verb "unknown config file ${file}" ;;
      esac
    done < <(find "${IN}/config" -type f -print0)
  fi
}

readonly RE_CIDR4='^([0-9]{1,3}\.){3}[0-9]{1,3}/[0-9]{1,2}$'
readonly RE_CIDR6='^[0-9a-fA-F:.]+/[0-9]{1,3}$'

check_policy_file() {
  local group=$1 file=$2 line number=0 entry
  while IFS= read -r line || [ -n "$line" ]; do
    number=$((number + 1))
    entry=${line%%#*}
    entry=${entry//[[:space:]]/}
    [ -z "$entry" ] && continue
    [[ $entry =~ $RE_CIDR4 || $entry =~ $RE_CIDR6 ]] || fail config_failed "policies/${group}:${number}: not a CIDR"
    if [ "$group" = clear ] && { [ "$entry" = 0.0.0.0/0 ] || [ "$entry" = ::/0 ]; }; then
      fail config_failed "policies/${group}:${number}: ${entry} must never be clear"
    fi
  done <"$file"
}

own_addresses() {
  local out line
  if have ip && out="$(ip -o addr show scope global 2>/dev/null)"; then
    while IFS= read -r line; do
      if [[ $line =~ inet\ ([0-9.]+)/ ]]; then printf '%s/32\n' "${BASH_REMATCH[1]}"; fi
      if [[ $line =~ inet6\ ([0-9a-fA-F:]+)/ ]]; then printf '%s/128\n' "${BASH_REMATCH[1]}"; fi
    done <<<"$out"
  fi
}

# Writes a file atomically with the given mode.
write_file() {
  local target=$1 source=$2 mode=$3
  mkdir -p "${target%/*}"
  cp "$source" "${target}.ipsec-mesh-new"
  chmod "$mode" "${target}.ipsec-mesh-new"
  mv -f "${target}.ipsec-mesh-new" "$target"
}

# Writes $2 to $1 (mode $3) unless $1 already holds the same text; sets CONFIG_CHANGED when it writes.
# The marker goes first: if this verb fails before the reload, the next one still reloads.
write_if_changed() {
  same_text "$1" "$2" && return 0
  rm -f "${STATE_DIR}/conns-loaded"
  write_file "$1" "$2" "$3"
  CONFIG_CHANGED=true
}

backup_stock_policies() {
  local group
  [ -f "${STATE_DIR}/policies-backup/.done" ] && return 0
  mkdir -p "${STATE_DIR}/policies-backup"
  for group in "${POLICY_GROUPS[@]}"; do
    if [ -f "${IPSECD_DIR}/policies/${group}" ]; then
      cp -p "${IPSECD_DIR}/policies/${group}" "${STATE_DIR}/policies-backup/${group}"
    fi
  done
  : >"${STATE_DIR}/policies-backup/.done"
}

apply_config_files() {
  local group source staged address
  for group in "${POLICY_GROUPS[@]}"; do
    source="${IN}/config/policies/${group}"
    if [ -f "$source" ]; then check_policy_file "$group" "$source"; fi
  done
  backup_stock_policies
  mkdir -p "${WORK}/staged"
  for group in "${POLICY_GROUPS[@]}"; do
    source="${IN}/config/policies/${group}"
    staged="${WORK}/staged/${group}"
    if [ -f "$source" ]; then cp "$source" "$staged"; else : >"$staged"; fi
    if [ "$group" = clear ]; then
      {
        printf '\n# Added by the ipsec-mesh agent: this host'\''s own addresses and the instance metadata service.\n'
        own_addresses
        for address in "${METADATA_ADDRESSES[@]}"; do printf '%s\n' "$address"; done
      } >>"$staged"
    fi
  done
  mkdir -p "${IPSECD_DIR}/policies"
  for group in "${POLICY_GROUPS[@]}"; do
    write_if_changed "${IPSECD_DIR}/policies/${group}" "${WORK}/staged/${group}" 0644
  done
  split_template "${IN}/config/ipsec-mesh.conf"
  write_if_changed "${IPSECD_DIR}/ipsec-mesh.conf" "${WORK}/conns" 0644
  apply_setup_options "${WORK}/setup"
  printf '%s\n' "$(param configHash)" >"${STATE_DIR}/config-hash"
  log "config $(param configHash) written to ${IPSECD_DIR}"
}

# pluto reads `config setup` only from ipsec.conf (one in an included file is silently ignored),
# so the template's `config setup` options go there, between these markers, and the rest of the
# template goes to ipsec.d. Nothing outside the markers is changed.
readonly SETUP_BEGIN="# BEGIN ipsec-mesh: written by the ipsec-mesh agent from the mesh policy; edit that instead"
readonly SETUP_END="# END ipsec-mesh"

# Splits the template $1 into ${WORK}/setup (its config setup options) and ${WORK}/conns (the rest).
split_template() {
  local line option section=conns
  : >"${WORK}/setup"
  : >"${WORK}/conns"
  while IFS= read -r line || [ -n "$line" ]; do
    if [[ $line =~ ^config[[:space:]]+setup[[:space:]]*(#.*)?$ ]]; then
      section=setup
      continue
    fi
    [[ $line =~ ^[^[:space:]#] ]] && section=conns
    if [ "$section" = conns ]; then
      printf '%s\n' "$line" >>"${WORK}/conns"
    elif [[ $line =~ ^[[:space:]]+([^[:space:]#][^#]*) ]]; then
      option=${BASH_REMATCH[1]}
      printf '\t%s\n' "${option%"${option##*[![:space:]]}"}" >>"${WORK}/setup"
    fi
  done <"$1"
}

# Prints the managed block holding the options of file $1; nothing when it is empty.
setup_block() {
  [ -s "$1" ] || return 0
  printf '\t%s\n' "$SETUP_BEGIN"
  cat "$1"
  printf '\t%s\n' "$SETUP_END"
}

# Prints ipsec.conf with the managed block replaced by the options of file $1.
render_ipsec_conf() {
  local options=$1 line trimmed in_block=false placed=false
  if [ ! -f "$IPSEC_CONF" ] || ! grep -Eq '^config[[:space:]]+setup' "$IPSEC_CONF"; then
    printf 'config setup\n'
    setup_block "$options"
    placed=true
    [ -f "$IPSEC_CONF" ] || { printf 'include %s/*.conf\n' "$IPSECD_DIR"; return 0; }
  fi
  while IFS= read -r line || [ -n "$line" ]; do
    trimmed=${line#"${line%%[![:space:]]*}"}
    if [ "$trimmed" = "$SETUP_BEGIN" ]; then in_block=true; continue; fi
    if [ "$in_block" = true ]; then
      [ "$trimmed" = "$SETUP_END" ] && in_block=false
      continue
    fi
    printf '%s\n' "$line"
    if [ "$placed" = false ] && [[ $line =~ ^config[[:space:]]+setup ]]; then
      setup_block "$options"
      placed=true
    fi
  done <"$IPSEC_CONF"
  # A begin marker without its end would swallow the rest of the file, includes and all.
  [ "$in_block" = false ] || fail config_failed "${IPSEC_CONF} has '${SETUP_BEGIN}' without '${SETUP_END}'; fix it by hand"
}

# Writes the managed block of ipsec.conf from the options of file $1 and sets SETUP_CHANGED when
# the file changed (pluto reads these options only when it starts). Written in place, not by
# rename: ipsec.conf is the package's file and may be a bind mount.
apply_setup_options() {
  [ -s "$1" ] || [ -f "$IPSEC_CONF" ] || return 0
  render_ipsec_conf "$1" >"${WORK}/ipsec.conf"
  if same_text "${WORK}/ipsec.conf" "$IPSEC_CONF"; then return 0; fi
  # Remembered until pluto has restarted, in case this verb fails before it does.
  : >"${STATE_DIR}/setup-pending"
  cat "${WORK}/ipsec.conf" >"$IPSEC_CONF" || fail config_failed "could not write ${IPSEC_CONF}"
  chmod 0644 "$IPSEC_CONF"
  SETUP_CHANGED=true
  log "config setup options in ${IPSEC_CONF} updated"
}

# uninstall's undoing of apply_config_files: our conns and config setup options go, the stock
# policy files saved by backup_stock_policies come back.
restore_stock_policies() {
  local group
  rm -f "${IPSECD_DIR}/ipsec-mesh.conf"
  : >"${WORK}/no-setup"
  apply_setup_options "${WORK}/no-setup"
  [ -f "${STATE_DIR}/policies-backup/.done" ] || return 0
  for group in "${POLICY_GROUPS[@]}"; do
    if [ -f "${STATE_DIR}/policies-backup/${group}" ]; then
      cp -p "${STATE_DIR}/policies-backup/${group}" "${IPSECD_DIR}/policies/${group}"
    else
      rm -f "${IPSECD_DIR}/policies/${group}"
    fi
  done
  rm -rf "${STATE_DIR}/policies-backup"
}
