using IpsecMesh.Core.Cloud;
using IpsecMesh.Core.Model;
using IpsecMesh.Core.Queue;
using IpsecMesh.Core.Options;
using IpsecMesh.Core.State;
using IpsecMesh.Core.Vpc;
using Microsoft.Extensions.Logging;

namespace IpsecMesh.Core.Sources;

/// <summary>
/// The periodic level trigger: lists every tagged live instance (paginated, filtered) and queues each,
/// priming the store with what it read. Instances the controller knows that the listing no longer
/// returns (terminated, vanished, untagged) are queued too, so their certificates get revoked.
/// </summary>
public sealed class Resync(
    IEc2Gateway ec2,
    InstanceStore store,
    CertificateCache certificates,
    WorkQueue<string> queue,
    VpcPolicyFacts vpcFacts,
    IpsecMeshOptions options,
    ILogger<Resync> logger)
{
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
        Log.ResyncDone(logger, seen.Count, pages, vanished.Count);
        await ScanVpcsAsync(listed, cancellationToken);
    }

    private async Task ScanVpcsAsync(IReadOnlyCollection<InstanceSnapshot> listed, CancellationToken cancellationToken)
    {
        try
        {
            var (entries, vpcs) = await VpcScan.ScanAsync(ec2, options, listed, cancellationToken);
            var publishedBefore = vpcFacts.Publications;
            vpcFacts.Observe(entries, vpcs);
            Log.VpcScanned(logger, entries.Count, entries.Count(e => e.Source.StartsWith("eni-", StringComparison.Ordinal)), vpcFacts.Publications - publishedBefore);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.VpcScanFailed(logger, e.GetType().Name + ": " + e.Message);
        }
    }
}
