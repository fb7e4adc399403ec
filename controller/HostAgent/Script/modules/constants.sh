# Shell options, settings and paths (each movable by an environment variable), and the agent's global state.
# shellcheck shell=bash

set -Eeuo pipefail
umask 077
export LC_ALL=C TZ=UTC
export PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:${PATH:-}"

# Every filesystem root can be moved with an environment variable (tests, containers,
# one pluto per network namespace): see the defaults below and docs/host-agent.md.
readonly STATE_DIR="${IPSEC_MESH_STATE_DIR:-/var/lib/ipsec-mesh}"
readonly IPSECD_DIR="${IPSEC_MESH_IPSECD_DIR:-/etc/ipsec.d}"
readonly IPSEC_CONF="${IPSEC_MESH_IPSEC_CONF:-/etc/ipsec.conf}"
readonly RUN_DIR="${IPSEC_MESH_RUN_DIR:-/run/pluto}"
readonly LOG_FILE="${IPSEC_MESH_LOG_FILE:-${STATE_DIR}/agent.log}"
readonly PLUTO_LOG="${IPSEC_MESH_PLUTO_LOG:-/var/log/pluto.log}"
readonly PLUTO_BIN="${IPSEC_MESH_PLUTO:-/usr/libexec/ipsec/pluto}"
# whack and addconn straight from libreswan's libexec directory when they are there: the `ipsec`
# front end is a long shell script, run for every call otherwise.
readonly IPSEC_LIBEXEC="${PLUTO_BIN%/*}"
readonly CTL_SOCKET="${RUN_DIR}/pluto.ctl"
readonly LOCK_TIMEOUT="${IPSEC_MESH_LOCK_TIMEOUT:-120}"
readonly IMDS_URL="${IPSEC_MESH_IMDS_URL:-http://169.254.169.254}"
readonly XFRM_STAT="${IPSEC_MESH_XFRM_STAT:-/proc/net/xfrm_stat}"
readonly AWS_CLI="${IPSEC_MESH_AWS_CLI:-aws}"
# auto: systemd when it is PID 1's init, otherwise pluto is started directly.
readonly INIT_MODE="${IPSEC_MESH_INIT:-auto}"
NSS_DIR="${IPSEC_MESH_NSS_DIR:-}"

readonly HOST_NICK="ipsec-mesh-host"
readonly CA_PREFIX="ipsec-mesh-ca-"
readonly CSR_SUBJECT="O=ipsec-mesh,CN=ipsec-mesh host key"
readonly POLICY_GROUPS=(private clear private-or-clear clear-or-private block)
# The conns that need no certificate can be loaded before the host has one.
readonly CERTLESS_CONNS=(clear block)
readonly METADATA_ADDRESSES=(169.254.169.254/32 169.254.169.253/32)
readonly RESULT_PREFIX='{"ipsecMesh":1,'

WORK=""
IN=""
CURRENT_VERB=""
SETUP_CHANGED=false
# Whether apply_config_files changed a conn or policy file (false: the loaded conns are current).
CONFIG_CHANGED=false
