using IpsecMesh.Core.Cloud;
using IpsecMesh.Core.Model;
using IpsecMesh.Core.Queue;
using IpsecMesh.Core.State;

namespace IpsecMesh.Core.Reconcile;

/// <summary>
/// The "observe" of a reconcile: the instance as EC2 reports it (the remembered snapshot while fresh, else one
/// coalesced DescribeInstances), its command in flight from the <see cref="CommandLedger"/>, and, when the decision asks,
/// the host's SSM agent and network checks.
/// </summary>
public sealed class InstanceObserver(IEc2Gateway ec2, InstanceStore store, CommandLedger ledger, ObservationBuilder builder, HostObserver host, IRetryBackoff<string> backoff)
{
    /// <summary>Observes <paramref name="record"/>'s instance; <see cref="Observation.Instance"/> is null when EC2 no longer knows it.</summary>
    public async Task<Observation> ObserveAsync(InstanceRecord record, CancellationToken cancellationToken)
    {
        InstanceSnapshot? snapshot;
        lock (record) snapshot = record.SnapshotFresh ? record.Snapshot : null;
        if (snapshot is null)
        {
            var described = await ec2.DescribeAsync(record.InstanceId, cancellationToken);
            if (described is null)
            {
                lock (record) record.Snapshot = null;
            }
            else
            {
                store.Observe(described);
                lock (record) snapshot = record.Snapshot;
            }
        }
        var command = await ledger.ReadAsync(record, cancellationToken);
        return builder.Build(record.InstanceId, snapshot, command, record) with { RetryNotBefore = backoff.RetryAt(record.InstanceId) };
    }

    /// <inheritdoc cref="HostObserver.ObserveAsync"/>
    public Task<Observation> ObserveHostAsync(Observation observation, CancellationToken cancellationToken) =>
        host.ObserveAsync(observation, cancellationToken);

    /// <inheritdoc cref="ObservationBuilder.Reobserve"/>
    public Observation Reobserve(Observation observation, InstanceRecord record) => builder.Reobserve(observation, record);
}
