using IpsecMesh.Core.Cloud;
using IpsecMesh.Core.Model;
using IpsecMesh.Core.Options;
using IpsecMesh.Core.Vpc;
using Microsoft.Extensions.Logging;

namespace IpsecMesh.Core.Sources;

/// <summary>
/// The VPC part of a resync: the VPCs of the listed instances and their network interfaces, published to
/// <see cref="VpcPolicyFacts"/> (managed-service addresses for the generated clear group, VPC ranges). A failed scan is
/// logged and keeps the facts of the last one.
/// </summary>
public sealed class VpcRescan(IEc2Gateway ec2, VpcPolicyFacts vpcFacts, IpsecMeshOptions options, ILogger<VpcRescan> logger)
{
    /// <summary>Scans the VPCs of <paramref name="listed"/>; throws only <see cref="OperationCanceledException"/>.</summary>
    public async Task ScanAsync(IReadOnlyCollection<InstanceSnapshot> listed, CancellationToken cancellationToken)
    {
        try
        {
            var (entries, vpcs) = await VpcScan.ScanAsync(ec2, options, listed, cancellationToken);
            var publishedBefore = vpcFacts.Publications;
            vpcFacts.Observe(entries, vpcs);
            SourcesLog.VpcScanned(logger, entries.Count, entries.Count(e => e.Source.StartsWith("eni-", StringComparison.Ordinal)), vpcFacts.Publications - publishedBefore);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            SourcesLog.VpcScanFailed(logger, e.GetType().Name + ": " + e.Message);
        }
    }
}
