namespace IpsecMesh.Core.Leadership;

/// <summary>Leader election off: the one replica always leads (the deployment guarantees there is one).</summary>
public sealed class SingleReplicaLeadership : ILeadership
{
    public bool IsLeader => true;

    public Task<CancellationToken> WaitForLeadershipAsync(CancellationToken cancellationToken) => Task.FromResult(CancellationToken.None);
}
