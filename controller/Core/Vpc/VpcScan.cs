using System.Net;
using IpsecMesh.Core.Cloud;
using IpsecMesh.Core.Model;
using IpsecMesh.Core.Options;

namespace IpsecMesh.Core.Vpc;

/// <summary>
/// Reads what the VPCs add to the policy: one DescribeVpcs, and (with <c>ManagedClear</c>) DescribeNetworkInterfaces
/// filtered to the VPCs, 1,000 interfaces a page. The VPCs are <c>VpcId</c> when set, else those of the tagged instances.
/// </summary>
public static class VpcScan
{
    /// <summary>The generated entries (managed-interface clears, VPC ranges) and the VPCs' blocks.</summary>
    public static async Task<(IReadOnlyList<GeneratedEntry> Entries, IReadOnlyList<VpcRanges> Vpcs)> ScanAsync(
        IEc2Gateway ec2, IpsecMeshOptions options, IReadOnlyCollection<InstanceSnapshot> instances, CancellationToken cancellationToken)
    {
        var vpcIds = !string.IsNullOrEmpty(options.VpcId) ? [options.VpcId]
            : instances.Where(i => !i.IsGone).Select(i => i.VpcId).OfType<string>().Where(v => v.Length > 0).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        if (vpcIds.Count == 0) return ([], []);
        var vpcs = await ec2.DescribeVpcsAsync(vpcIds, cancellationToken);
        var entries = new List<GeneratedEntry>(VpcRangeEntries.Of(vpcs, options.VpcRangesGroup));
        if (options.ManagedClear)
        {
            ManagedClearExceptions.TryParse(options.ManagedClearExceptions, out var exceptions);
            var meshInstances = instances.Select(i => i.InstanceId).ToHashSet(StringComparer.Ordinal);
            var meshAddresses = instances.SelectMany(i => i.PrivateAddresses).ToHashSet();
            var interfaces = new List<NetworkInterfaceFact>();
            await foreach (var page in ec2.ListNetworkInterfacesAsync(vpcIds, cancellationToken)) interfaces.AddRange(page);
            entries.AddRange(ManagedInterfaces.ClearEntries(interfaces, meshInstances, meshAddresses, exceptions));
        }
        return (entries, vpcs);
    }

    /// <summary><paramref name="mesh"/> narrowed to the VPCs' blocks (the peers a subnet's ACL must admit); the mesh itself when no VPC is known.</summary>
    public static IReadOnlyList<IPNetwork> PeersIn(IReadOnlyList<IPNetwork> mesh, IReadOnlyList<VpcRanges> vpcs)
    {
        var blocks = vpcs.SelectMany(v => v.Cidrs).ToList();
        if (blocks.Count == 0) return mesh;
        var peers = new List<IPNetwork>();
        foreach (var m in mesh)
            foreach (var b in blocks.Where(b => b.BaseAddress.AddressFamily == m.BaseAddress.AddressFamily))
            {
                if (m.Contains(b.BaseAddress) && m.PrefixLength <= b.PrefixLength) peers.Add(b);
                else if (b.Contains(m.BaseAddress) && b.PrefixLength <= m.PrefixLength) peers.Add(m);
            }
        return peers.Count == 0 ? mesh : [.. peers.Distinct()];
    }
}
