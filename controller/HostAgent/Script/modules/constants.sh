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
# Where the SSM document's download step puts a request's input file (named by its SHA-256).
readonly INPUTS_DIR="${IPSEC_MESH_INPUTS_DIR:-${STATE_DIR}/inputs}"
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
# The agent's log and pluto's are rotated at the start of a run once over this size; two old copies are kept.
readonly LOG_MAX_BYTES="${IPSEC_MESH_LOG_MAX_BYTES:-5242880}"
readonly LOG_KEEP=2
# For the tests only: the agent kills itself (SIGKILL) at the test_kill_point of this name.
readonly TEST_KILL_AT="${IPSEC_MESH_TEST_KILL_AT:-}"
# auto: systemd when it is PID 1's init, otherwise pluto is started directly.
readonly INIT_MODE="${IPSEC_MESH_INIT:-auto}"
NSS_DIR="${IPSEC_MESH_NSS_DIR:-}"
# The config is staged here, beside the files in force (the same filesystem: each is switched in by rename).
readonly STAGE_DIR="${IPSECD_DIR}/.ipsec-mesh-staged"

readonly HOST_NICK="ipsec-mesh-host"
readonly CA_PREFIX="ipsec-mesh-ca-"
readonly CSR_SUBJECT="O=ipsec-mesh,CN=ipsec-mesh host key"
readonly POLICY_GROUPS=(private clear private-or-clear clear-or-private block)
# The conns that need no certificate can be loaded before the host has one.
readonly CERTLESS_CONNS=(clear block)
# The conns that present the host certificate. pluto runs them under one of two name sets,
# private~a … or private~b … (modules/conn-sets.sh), so that a new certificate is loaded beside
# the old one and switched to without tearing the mesh down.
readonly CERT_GROUPS=(private private-or-clear clear-or-private)
readonly CONN_SETS=("~a" "~b")
# Seconds between the switch to the other set and routing it: peers re-initiate meanwhile and the
# new set answers them; this host initiates nothing until its traps are back.
readonly SWITCH_DELAY="${IPSEC_MESH_SWITCH_DELAY:-0.5}"
# The kernel's sysctl tree (the tests point it elsewhere outside a network namespace of their own).
readonly SYSCTL_DIR="${IPSEC_MESH_SYSCTL_DIR:-/proc/sys}"
# At most this many addresses in a request's peers file.
readonly PEERS_MAX=1000
# Seconds a verb that initiated to its listed peers waits for their SAs before it reports (0: no wait).
readonly PEER_SA_WAIT="${IPSEC_MESH_PEER_SA_WAIT:-10}"
# The most a verb that loaded conns waits before it initiates (peers.sh, settle_peer_negotiations).
readonly PEER_SETTLE_MAX="${IPSEC_MESH_PEER_SETTLE_MAX:-30}"
readonly METADATA_ADDRESSES=(169.254.169.254/32 169.254.169.253/32)
readonly RESULT_PREFIX='{"ipsecMesh":1,'

WORK=""
IN=""
CURRENT_VERB=""
# The verb's own subshell: only there does a failure put back the previous config (see fail).
VERB_PID=""
# Whether switch_config changed ipsec.conf's config setup block (pluto reads it only when it starts).
SETUP_CHANGED=false
# Whether switch_config changed a conn or policy file (false: the loaded conns are current).
CONFIG_CHANGED=false
# Set by switch_config until the new config is in force: a failure then puts back the previous one.
ROLLBACK_ARMED=false
IN_ROLLBACK=false
# What the verb touched after the switch, for the rollback: pluto's conns, pluto itself, NSS's CAs.
CONNS_TOUCHED=false
PLUTO_RESTARTED=false
CA_TOUCHED=false
# Whether this verb moved the certificate conns to the other name set (a 4.x certificate change).
CONN_SET_SWITCHED=false
