using IpsecMesh.Core.Cloud;
using IpsecMesh.Core.Model;
using IpsecMesh.Core.Queue;
using IpsecMesh.Core.State;
using Microsoft.Extensions.Logging;

namespace IpsecMesh.Core.Sources;

/// <summary>
/// The periodic level trigger: lists every tagged live instance (paginated, filtered) and queues each,
/// priming the store with what it read. Instances the controller knows that the listing no longer
/// returns (terminated, vanished, untagged) are queued too, so their certificates get revoked. Then the
/// <see cref="VpcRescan"/> reads the VPCs of what it listed.
/// </summary>
public sealed class Resync(
    IEc2Gateway ec2,
    InstanceStore store,
    CertificateCache certificates,
    WorkQueue<string> queue,
    VpcRescan vpcs,
    ILogger<Resync> logger)
{
    /// <summary>One resync; EC2 errors of the listing propagate (the resync loop logs them and runs again at its next tick).</summary>
    public async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var listed = new List<InstanceSnapshot>();
        var pages = 0;
        await foreach (var page in ec2.ListTaggedAsync(cancellationToken))
        {
            pages++;
            foreach (var snapshot in page)
            {
                seen.Add(snapshot.InstanceId);
                listed.Add(snapshot);
                store.Observe(snapshot);
                queue.Add(snapshot.InstanceId);
            }
        }
        var vanished = store.Ids.Concat(certificates.InstanceIds).Where(id => !seen.Contains(id)).Distinct().ToList();
        foreach (var id in vanished)
        {
            store.MarkStale(id);
            queue.Add(id);
        }
        SourcesLog.ResyncDone(logger, seen.Count, pages, vanished.Count);
        await vpcs.ScanAsync(listed, cancellationToken);
    }
}
