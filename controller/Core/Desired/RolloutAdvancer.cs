using IpsecMesh.Core.Model;
using IpsecMesh.Core.Options;
using IpsecMesh.Core.Queue;
using IpsecMesh.Core.Rollout;
using IpsecMesh.Core.State;

namespace IpsecMesh.Core.Desired;

/// <summary>
/// Feeds the roll-out the fleet as the controller last saw it: every enabled instance and the config
/// hash the controller saw it apply (<see cref="HostFactsStore"/>). Runs after each config poll; the reconciles keep the snapshots
/// current with what they write. Then queues every enabled instance whose desired config is not the
/// one it runs (a wave admitted it, the CRLs or the last good config changed), so a change reaches
/// hosts within a config poll rather than at the next resync.
/// </summary>
public sealed class RolloutAdvancer(InstanceStore store, HostFactsStore facts, DesiredStateProvider desired, ConfigRollout rollout, WorkQueue<string> queue, IpsecMeshOptions options)
{
    public async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        var fleet = new List<(string InstanceId, string? AppliedHash)>();
        foreach (var id in store.Ids)
        {
            if (!store.TryGet(id, out var record)) continue;
            InstanceSnapshot? snapshot;
            lock (record) snapshot = record.Snapshot;
            if (snapshot is null || snapshot.IsGone || snapshot.Tag(options.TagKey) != TagValues.Enabled) continue;
            fleet.Add((id, facts.Get(id).ConfigHash));
        }
        await rollout.AdvanceAsync(fleet, desired.TargetHash, cancellationToken);
        foreach (var (id, applied) in fleet)
            if (desired.ConfigFor(id, applied).Hash != applied) queue.Add(id);
    }
}
