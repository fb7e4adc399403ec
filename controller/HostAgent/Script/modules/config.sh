# Config: staged, checked by libreswan's parser, switched in by rename, put back when a later step fails.
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

# The files under IPSECD_DIR (ipsec-mesh.conf, policies/<group>) whose staged text differs from
# the file in force (set by stage_config).
declare -a CHANGED_FILES=()

# Stages the request's config: the policy files (this host's own addresses and the metadata
# service added to clear) and the template's conns in STAGE_DIR, ipsec.conf with the template's
# config setup options in ${WORK}/ipsec.conf. Notes what differs from the files in force and, when
# the conns or the config setup options change, has libreswan's own parser check the template.
# Nothing in force changes here: a request that fails leaves the host as it was.
stage_config() {
  local group source content addresses address relative
  for group in "${POLICY_GROUPS[@]}"; do
    source="${IN}/config/policies/${group}"
    if [ -f "$source" ]; then check_policy_file "$group" "$source"; fi
  done
  # What a run killed while staging left behind is never read, only replaced.
  if [ -e "$STAGE_DIR" ]; then rm -rf "$STAGE_DIR"; fi
  mkdir -p "${STAGE_DIR}/policies"
  # The staged files get their final mode (0644) as they are created: no chmod before the switch.
  umask 022
  for group in "${POLICY_GROUPS[@]}"; do
    source="${IN}/config/policies/${group}"
    content=""
    if [ -f "$source" ]; then read_text content "$source"; fi
    if [ "$group" = clear ]; then
      content+=$'\n# Added by the ipsec-mesh agent: this host\'s own addresses and the instance metadata service.\n'
      addresses="$(own_addresses)"
      [ -z "$addresses" ] || content+="${addresses}"$'\n'
      for address in "${METADATA_ADDRESSES[@]}"; do content+="${address}"$'\n'; done
    fi
    printf '%s' "$content" >"${STAGE_DIR}/policies/${group}"
    test_kill_point staged-file
  done
  split_template "${IN}/config/ipsec-mesh.conf"
  # The conns go in force under the set pluto runs them as (modules/conn-sets.sh).
  local set
  staging_set set
  render_conn_set "${STAGE_DIR}/ipsec-mesh.conf" "${STAGE_DIR}/ipsec-mesh.conf" "$set"
  umask 077
  CHANGED_FILES=()
  for relative in ipsec-mesh.conf "${POLICY_GROUPS[@]/#/policies/}"; do
    same_text "${STAGE_DIR}/${relative}" "${IPSECD_DIR}/${relative}" || CHANGED_FILES+=("$relative")
  done
  SETUP_CHANGED=false
  if [ -s "${WORK}/setup" ] || [ -f "$IPSEC_CONF" ]; then
    render_ipsec_conf "${WORK}/setup" "${WORK}/ipsec.conf"
    same_text "${WORK}/ipsec.conf" "$IPSEC_CONF" || SETUP_CHANGED=true
  fi
  if [ "$SETUP_CHANGED" = true ] || [[ " ${CHANGED_FILES[*]} " == *" ipsec-mesh.conf "* ]]; then
    check_template "${IN}/config/ipsec-mesh.conf"
  fi
}

# A file, a line and what is wrong there, as libreswan names them in its complaints:
#   4.x  cannot load config '…': /…/ipsec-mesh.conf:45: syntax error [negotiationshunts]
#   4.x  ERROR: /…/ipsec-mesh.conf: 35: keyword type, invalid value: nonsense
#   5.x  FATAL ERROR: ipsec addconn: /…/ipsec-mesh.conf:45: unrecognized keyword 'negotiationshunts'
#   5.x  ipsec addconn: /…/ipsec-mesh.conf:35: warning: invalid, keyword ignored: type=nonsense
readonly RE_LIBRESWAN_AT="(^|[[:space:]'])(/[^:[:space:]]*/)?([^/:[:space:]]+):[[:space:]]?([0-9]+):[[:space:]]*(.*)$"

# libreswan's own parser on the template as the request carries it (its config setup section and
# its conns, at the operator's line numbers), with no pluto involved: addconn --checkconfig. It
# exits non-zero on a syntax error (a misspelt keyword) and, on 4.x, on a bad value of a keyword
# it knows; but it exits 0 after complaining about a conn it could not use (4.x: an unknown
# authby=, an also= naming no conn, a bad subnet; 5.x: a bad value, which it then ignores), so
# anything it prints is a failure too. Fails config_failed with its first complaint.
check_template() {
  local out rc=0 line template
  # Named as the operator knows it: libreswan's complaints name the file.
  read_text template "$1"
  printf '%s' "$template" >"${WORK}/ipsec-mesh.conf"
  out="$(ipsec_tool addconn --config "${WORK}/ipsec-mesh.conf" --checkconfig 2>&1)" || rc=$?
  if [ "$rc" -eq 0 ] && [ -z "$out" ]; then return 0; fi
  while IFS= read -r line; do log "  addconn --checkconfig: ${line}"; done <<<"$out"
  rm -rf "$STAGE_DIR"
  fail config_failed "$(libreswan_complaint "$out" "$rc"); the config in force is kept"
}

# The first complaint in addconn's output $1 (exit status $2): "FILE line N: what" when it names
# a line, else "libreswan: what".
libreswan_complaint() {
  local line first=""
  while IFS= read -r line; do
    [ -n "${line//[[:space:]]/}" ] || continue
    if [[ $line =~ $RE_LIBRESWAN_AT ]]; then
      line="${BASH_REMATCH[3]} line ${BASH_REMATCH[4]}: ${BASH_REMATCH[5]}"
      printf '%s' "${line:0:240}"
      return 0
    fi
    [ -n "$first" ] || first=$line
  done <<<"$1"
  first=${first#FATAL ERROR: }
  first=${first#ipsec addconn: }
  first=${first#addconn, in config *, }
  if [[ $first =~ ^while\ loading\ \'([^\']*)\':\ (.*)$ ]]; then first="conn ${BASH_REMATCH[1]}: ${BASH_REMATCH[2]}"; fi
  [ -n "$first" ] || first="addconn --checkconfig exited ${2}"
  printf 'libreswan: %s' "${first:0:230}"
}

# What switch_config replaced, for rollback_config: the previous text of each changed file under
# IPSECD_DIR, whether it existed, and ipsec.conf's.
declare -A PREVIOUS=()
declare -A PREVIOUS_EXISTED=()
PREVIOUS_IPSEC_CONF=""
PREVIOUS_IPSEC_CONF_EXISTED=false
PREVIOUS_CONNS_LOADED=false
PREVIOUS_SETUP_PENDING=false

# Puts the staged config in force on disk: remembers what it replaces, arms the rollback, leaves
# the markers a run killed half-way needs (no conns-loaded: the next run reloads; setup-pending:
# it restarts pluto), renames each changed file over the one in force and writes ipsec.conf.
switch_config() {
  local relative target
  local -a policies=()
  backup_stock_policies
  [ ! -f "${STATE_DIR}/conns-loaded" ] || PREVIOUS_CONNS_LOADED=true
  [ ! -f "${STATE_DIR}/setup-pending" ] || PREVIOUS_SETUP_PENDING=true
  for relative in "${CHANGED_FILES[@]}"; do
    target="${IPSECD_DIR}/${relative}"
    if [ -f "$target" ]; then
      PREVIOUS_EXISTED[$relative]=true
      read_text "PREVIOUS[${relative}]" "$target"
    else
      PREVIOUS_EXISTED[$relative]=false
    fi
    [ "$relative" = ipsec-mesh.conf ] || policies+=("${STAGE_DIR}/${relative}")
  done
  if [ "$SETUP_CHANGED" = true ] && [ -f "$IPSEC_CONF" ]; then
    PREVIOUS_IPSEC_CONF_EXISTED=true
    read_text PREVIOUS_IPSEC_CONF "$IPSEC_CONF"
  fi
  ROLLBACK_ARMED=true
  if [ "${#CHANGED_FILES[@]}" -gt 0 ]; then
    CONFIG_CHANGED=true
    rm -f "${STATE_DIR}/conns-loaded"
    mkdir -p "${IPSECD_DIR}/policies"
    if [ "${#policies[@]}" -gt 0 ]; then mv -f "${policies[@]}" "${IPSECD_DIR}/policies/"; fi
    test_kill_point switched-file
    if [ "${PREVIOUS_EXISTED[ipsec-mesh.conf]+set}" ]; then mv -f "${STAGE_DIR}/ipsec-mesh.conf" "${IPSECD_DIR}/ipsec-mesh.conf"; fi
  fi
  if [ "$SETUP_CHANGED" = true ]; then
    : >"${STATE_DIR}/setup-pending"
    write_ipsec_conf "${WORK}/ipsec.conf"
    log "config setup options in ${IPSEC_CONF} updated"
  fi
  rm -rf "$STAGE_DIR"
  log "config $(param configHash) written to ${IPSECD_DIR}"
}

# The new config is in force (files, conns, pluto): only now does status report its hash, and a
# later failure no longer puts back the previous config.
commit_config() {
  write_atomic "${STATE_DIR}/config-hash" "$(param configHash)"$'\n'
  ROLLBACK_ARMED=false
}

# Puts back what switch_config and the steps after it changed, after a failure: the files and
# ipsec.conf's block; NSS's CAs when the bundle was being replaced; when pluto's conns or pluto
# itself were touched, pluto running the previous config setup options with the conns loaded from
# the previous files. The config hash was never written, so status still reports the previous
# one. Each step runs in a subshell where a failure ends only that step. Returns non-zero when
# something could not be put back; then status reports no hash at all (none is in force).
rollback_config() {
  local failed=0
  ROLLBACK_ARMED=false
  IN_ROLLBACK=true
  # The steps' failures are counted here, not trapped (the verb is failing already).
  trap - ERR
  log "putting back the previous config"
  set +e
  (set -e; restore_previous_files)
  failed=$((failed + $?))
  if [ "$CA_TOUCHED" = true ]; then
    (set -e; restore_previous_ca_bundle)
    failed=$((failed + $?))
  fi
  if [ "$CONNS_TOUCHED" = true ] || [ "$PLUTO_RESTARTED" = true ]; then
    (set -e; restore_loaded_conns)
    failed=$((failed + $?))
  elif [ "$PREVIOUS_CONNS_LOADED" = true ]; then
    # pluto never saw the new files: the conns it has loaded are the previous ones.
    : >"${STATE_DIR}/conns-loaded"
  fi
  set -e
  IN_ROLLBACK=false
  if [ "$failed" -ne 0 ]; then
    rm -f "${STATE_DIR}/config-hash"
    log "could not put back everything of the previous config; no config hash is reported until a config verb succeeds"
    return 1
  fi
  if [ "$PREVIOUS_SETUP_PENDING" = false ] && [ -f "${STATE_DIR}/setup-pending" ]; then rm -f "${STATE_DIR}/setup-pending"; fi
  log "the previous config is back in force"
}

restore_previous_files() {
  local relative target
  [ ! -e "$STAGE_DIR" ] || rm -rf "$STAGE_DIR"
  for relative in "${!PREVIOUS_EXISTED[@]}"; do
    target="${IPSECD_DIR}/${relative}"
    if [ "${PREVIOUS_EXISTED[$relative]}" = true ]; then
      write_atomic "$target" "${PREVIOUS[$relative]}" 0644
    else
      rm -f "$target"
    fi
  done
  if [ "$SETUP_CHANGED" = true ]; then
    if [ "$PREVIOUS_IPSEC_CONF_EXISTED" = true ]; then
      printf '%s' "$PREVIOUS_IPSEC_CONF" >"${WORK}/previous-ipsec.conf"
      write_ipsec_conf "${WORK}/previous-ipsec.conf"
    else
      rm -f "$IPSEC_CONF"
    fi
  fi
  log "the previous config files are back"
}

# pluto with the previous config setup options (restarted again if it was restarted for the new
# ones, started if it is down) and the conns of the previous files (none if there were none).
restore_loaded_conns() {
  if ! pluto_running; then
    start_daemon
  elif [ "$PLUTO_RESTARTED" = true ] && [ "$SETUP_CHANGED" = true ]; then
    restart_pluto "the previous config setup options are back"
  fi
  if [ -f "${IPSECD_DIR}/ipsec-mesh.conf" ]; then
    reload_conns
  else
    delete_our_conns
    remove_reload_guard
  fi
  log "pluto has the previous conns back"
}

# pluto reads `config setup` only from ipsec.conf (one in an included file is silently ignored),
# so the template's `config setup` options go there, between these markers, and the rest of the
# template goes to ipsec.d. Nothing outside the markers is changed.
readonly SETUP_BEGIN="# BEGIN ipsec-mesh: written by the ipsec-mesh agent from the mesh policy; edit that instead"
readonly SETUP_END="# END ipsec-mesh"

# Splits the template $1 into ${WORK}/setup (its config setup options) and the staged conns file
# ${STAGE_DIR}/ipsec-mesh.conf (the rest).
split_template() {
  local line option section=conns conns="${STAGE_DIR}/ipsec-mesh.conf"
  : >"${WORK}/setup"
  : >"$conns"
  while IFS= read -r line || [ -n "$line" ]; do
    if [[ $line =~ ^config[[:space:]]+setup[[:space:]]*(#.*)?$ ]]; then
      section=setup
      continue
    fi
    [[ $line =~ ^[^[:space:]#] ]] && section=conns
    if [ "$section" = conns ]; then
      printf '%s\n' "$line" >>"$conns"
    elif [[ $line =~ ^[[:space:]]+([^[:space:]#][^#]*) ]]; then
      option=${BASH_REMATCH[1]}
      printf '\t%s\n' "${option%"${option##*[![:space:]]}"}" >>"${WORK}/setup"
    fi
  done <"$1"
}

# Prints the managed block holding the options of file $1; nothing when it is empty.
setup_block() {
  local options
  [ -s "$1" ] || return 0
  read_text options "$1"
  printf '\t%s\n%s\t%s\n' "$SETUP_BEGIN" "$options" "$SETUP_END"
}

# Writes to file $2 the ipsec.conf in force with the managed block holding the options of file $1.
render_ipsec_conf() {
  local options=$1 line trimmed in_block=false placed=false
  {
    if [ ! -f "$IPSEC_CONF" ] || ! grep -Eq '^config[[:space:]]+setup' "$IPSEC_CONF"; then
      printf 'config setup\n'
      setup_block "$options"
      placed=true
      [ -f "$IPSEC_CONF" ] || printf 'include %s/*.conf\n' "$IPSECD_DIR"
    fi
    if [ -f "$IPSEC_CONF" ]; then
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
    fi
  } >"$2"
  # A begin marker without its end would swallow the rest of the file, includes and all.
  [ "$in_block" = false ] || fail config_failed "${IPSEC_CONF} has '${SETUP_BEGIN}' without '${SETUP_END}'; fix it by hand"
}

# Whether path $1 is a mount point (a bind-mounted file among them): /proc/self/mountinfo, read
# with builtins.
is_mount_point() {
  local _id _parent _device _root mount _rest
  [ -r /proc/self/mountinfo ] || return 1
  while read -r _id _parent _device _root mount _rest; do
    [ "$mount" != "$1" ] || return 0
  done </proc/self/mountinfo
  return 1
}

# Writes file $1 as ipsec.conf: a temporary file beside it, renamed over it, so neither pluto nor
# the next run after a kill meets half a file. ipsec.conf is the package's file and may be a bind
# mount (containers, the end-to-end suite) or a symbolic link, or sit in a read-only directory,
# where a rename cannot replace it: then it is written in place, and the log says so.
write_ipsec_conf() {
  local content tmp="${IPSEC_CONF%/*}/.${IPSEC_CONF##*/}.ipsec-mesh-new"
  read_text content "$1"
  if [ ! -L "$IPSEC_CONF" ] && ! is_mount_point "$IPSEC_CONF" && { umask 022; printf '%s' "$content" >"$tmp"; } 2>/dev/null \
    && umask 077 && mv -f "$tmp" "$IPSEC_CONF"; then
    # A new file in /etc has the directory's SELinux type, not ipsec.conf's.
    if have restorecon; then quiet restorecon "$IPSEC_CONF" || log "restorecon ${IPSEC_CONF} failed"; fi
    return 0
  fi
  umask 077
  [ ! -e "$tmp" ] || rm -f "$tmp"
  log "${IPSEC_CONF} cannot be replaced by a rename (a bind mount, a symbolic link or a read-only directory): writing it in place"
  { printf '%s' "$content" >"$IPSEC_CONF"; } 2>/dev/null || fail config_failed "could not write ${IPSEC_CONF}"
  chmod 0644 "$IPSEC_CONF"
}

# uninstall's undoing of the config: our conns and config setup options go, the stock policy
# files saved by backup_stock_policies come back (each by a rename).
restore_stock_policies() {
  local group target
  rm -f "${IPSECD_DIR}/ipsec-mesh.conf"
  : >"${WORK}/no-setup"
  if [ -f "$IPSEC_CONF" ]; then
    render_ipsec_conf "${WORK}/no-setup" "${WORK}/ipsec.conf"
    if ! same_text "${WORK}/ipsec.conf" "$IPSEC_CONF"; then
      write_ipsec_conf "${WORK}/ipsec.conf"
      log "config setup options removed from ${IPSEC_CONF}"
    fi
  fi
  [ -f "${STATE_DIR}/policies-backup/.done" ] || return 0
  for group in "${POLICY_GROUPS[@]}"; do
    target="${IPSECD_DIR}/policies/${group}"
    if [ -f "${STATE_DIR}/policies-backup/${group}" ]; then
      cp -p "${STATE_DIR}/policies-backup/${group}" "${target%/*}/.${group}.ipsec-mesh-new"
      mv -f "${target%/*}/.${group}.ipsec-mesh-new" "$target"
    else
      rm -f "$target"
    fi
  done
  rm -rf "${STATE_DIR}/policies-backup"
}
