#!/usr/bin/env bash
# ipsec-mesh host agent, protocol 1 (docs/host-agent-protocol.md): the entry point for working
# on the agent. It sources the modules of agent.modules in that order and runs main, which is
# exactly what the one script sent to hosts does: the build (and build-agent.sh) concatenates
# the same modules. Keep the source lines in the order of agent.modules; a test compares them.
#   printf 'protocol 1\nverb status\n' | bash controller/HostAgent/Script/agent.sh
# shellcheck source-path=SCRIPTDIR
set -Eeuo pipefail

agent_dir=${BASH_SOURCE[0]%/*}
[ "$agent_dir" != "${BASH_SOURCE[0]}" ] || agent_dir=.

# shellcheck source=modules/constants.sh
source "${agent_dir}/modules/constants.sh"
# shellcheck source=modules/output.sh
source "${agent_dir}/modules/output.sh"
# shellcheck source=modules/request.sh
source "${agent_dir}/modules/request.sh"
# shellcheck source=modules/host.sh
source "${agent_dir}/modules/host.sh"
# shellcheck source=modules/util.sh
source "${agent_dir}/modules/util.sh"
# shellcheck source=modules/certs.sh
source "${agent_dir}/modules/certs.sh"
# shellcheck source=modules/nss.sh
source "${agent_dir}/modules/nss.sh"
# shellcheck source=modules/ca-bundle.sh
source "${agent_dir}/modules/ca-bundle.sh"
# shellcheck source=modules/ca-trust.sh
source "${agent_dir}/modules/ca-trust.sh"
# shellcheck source=modules/crl.sh
source "${agent_dir}/modules/crl.sh"
# shellcheck source=modules/revoked-peers.sh
source "${agent_dir}/modules/revoked-peers.sh"
# shellcheck source=modules/config.sh
source "${agent_dir}/modules/config.sh"
# shellcheck source=modules/guard.sh
source "${agent_dir}/modules/guard.sh"
# shellcheck source=modules/conn-sets.sh
source "${agent_dir}/modules/conn-sets.sh"
# shellcheck source=modules/pluto.sh
source "${agent_dir}/modules/pluto.sh"
# shellcheck source=modules/kernel.sh
source "${agent_dir}/modules/kernel.sh"
# shellcheck source=modules/peers.sh
source "${agent_dir}/modules/peers.sh"
# shellcheck source=modules/packages.sh
source "${agent_dir}/modules/packages.sh"
# shellcheck source=modules/imds.sh
source "${agent_dir}/modules/imds.sh"
# shellcheck source=verbs/install.sh
source "${agent_dir}/verbs/install.sh"
# shellcheck source=verbs/apply-config.sh
source "${agent_dir}/verbs/apply-config.sh"
# shellcheck source=verbs/csr.sh
source "${agent_dir}/verbs/csr.sh"
# shellcheck source=verbs/_cert-common.sh
source "${agent_dir}/verbs/_cert-common.sh"
# shellcheck source=verbs/install-cert.sh
source "${agent_dir}/verbs/install-cert.sh"
# shellcheck source=verbs/install-p12.sh
source "${agent_dir}/verbs/install-p12.sh"
# shellcheck source=verbs/status.sh
source "${agent_dir}/verbs/status.sh"
# shellcheck source=verbs/uninstall.sh
source "${agent_dir}/verbs/uninstall.sh"
# shellcheck source=modules/main.sh
source "${agent_dir}/modules/main.sh"

unset agent_dir
main "$@"
