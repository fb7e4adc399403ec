namespace IpsecMesh.Core.Leadership;

/// <summary>Whether this replica may reconcile. Only the leader consumes SQS and drives hosts.</summary>
public interface ILeadership
{
    /// <summary>Completes once this replica leads; the returned token is cancelled when leadership is lost.</summary>
    Task<CancellationToken> WaitForLeadershipAsync(CancellationToken cancellationToken);

    bool IsLeader { get; }
}
