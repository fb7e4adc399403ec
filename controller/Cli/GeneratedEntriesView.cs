using IpsecMesh.Core.Cloud;
using IpsecMesh.Core.Model;
using IpsecMesh.Core.Options;
using IpsecMesh.Core.Vpc;

namespace IpsecMesh.Cli;

/// <summary>
/// The policy entries the controller generates from the VPC as they read now (a live scan with the CLI's AWS
/// settings: DescribeVpcs and DescribeNetworkInterfaces of <c>VpcId</c>, else of the tagged instances' VPCs), for
/// <c>status</c> and <c>config validate --vpc</c>. The controller publishes changes at most once per <c>ManagedClearWindow</c>,
/// so a change seen here may still be pending there.
/// </summary>
internal static class GeneratedEntriesView
{
    public static async Task<IReadOnlyList<GeneratedEntry>> ScanAsync(Ec2Gateway ec2, IpsecMeshOptions options, IReadOnlyList<InstanceSnapshot>? tagged, CancellationToken cancellationToken)
    {
        if (!options.ManagedClear && options.VpcRangesGroup.Length == 0) return [];
        if (tagged is null)
        {
            var rows = new List<InstanceSnapshot>();
            if (string.IsNullOrEmpty(options.VpcId))
                await foreach (var page in ec2.ListTaggedAsync(cancellationToken)) rows.AddRange(page);
            tagged = rows;
        }
        return (await VpcScan.ScanAsync(ec2, options, tagged, cancellationToken)).Entries;
    }

    /// <summary>The entries as JSON-ready objects: group, network, source (eni-… or vpc-…), reason.</summary>
    public static IEnumerable<object> Json(IEnumerable<GeneratedEntry> entries) =>
        entries.Select(e => new { group = e.Group, network = e.Network.ToString(), source = e.Source, reason = e.Reason });

    /// <summary>
    /// One line per entry: "  clear  172.31.0.10/32  eni-0abc…  network_load_balancer: ELB net/web/…"; with <paramref name="policy"/>,
    /// an entry the policy left out (its operators wrote that network into a group) says so.
    /// </summary>
    public static void Print(IReadOnlyList<GeneratedEntry> entries, TextWriter output, IpsecMesh.HostAgent.Policy.MeshPolicy? policy = null)
    {
        output.WriteLine(entries.Count == 0 ? "generated policy entries: none" : $"generated policy entries ({entries.Count}; published by the controller at most once per ManagedClearWindow):");
        foreach (var e in entries)
        {
            var unused = policy is not null && !(policy.Generated.TryGetValue(e.Group, out var kept) && kept.Contains(e.Network));
            output.WriteLine($"  {e.Group,-16} {e.Network,-24} {e.Source,-22} {e.Reason}{(unused ? " (not used: the written policy already lists it)" : "")}");
        }
    }
}
