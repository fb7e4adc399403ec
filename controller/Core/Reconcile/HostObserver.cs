using IpsecMesh.Core.Cloud;
using IpsecMesh.Core.Desired;
using IpsecMesh.Core.Model;
using IpsecMesh.Core.Vpc;
using IpsecMesh.HostAgent.Policy;

namespace IpsecMesh.Core.Reconcile;

/// <summary>
/// What the decision asks before it sends a command: whether the host's SSM agent is online, whether its security groups
/// and network ACLs admit the mesh, and whether the config it would get encrypts any of its addresses.
/// </summary>
public sealed class HostObserver(ISsmGateway ssm, SecurityGroupChecker securityGroups, DesiredStateProvider desired)
{
    /// <summary>The observation with <see cref="Observation.AgentOnline"/>, the security and the coverage problem filled in; needs <see cref="Observation.Instance"/>.</summary>
    public async Task<Observation> ObserveAsync(Observation observation, CancellationToken cancellationToken)
    {
        var online = ssm.IsAgentOnlineAsync(observation.InstanceId, cancellationToken);
        var policy = desired.ConfigOf(observation).Policy;
        var problem = securityGroups.CheckAsync(observation.Instance!, policy.MeshNetworks, cancellationToken);
        var coverage = PolicyCoverage.Problem(policy, observation.Instance!.PrivateAddresses);
        return observation with { AgentOnline = await online, SecurityProblem = await problem, SecurityChecked = true, CoverageProblem = coverage is null ? null : StatusText.Clean(coverage) };
    }
}
