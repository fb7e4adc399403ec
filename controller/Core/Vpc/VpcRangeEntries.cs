using System.Net;
using System.Net.Sockets;
using IpsecMesh.Core.Cloud;
using IpsecMesh.HostAgent.Policy;

namespace IpsecMesh.Core.Vpc;

/// <summary>
/// The policy entries derived from the VPCs' CIDR blocks (setting <c>VpcRangesGroup</c>): each block in the
/// chosen group, and each IPv4 block's base + 2 in clear (the Amazon-provided DNS resolver, an address AWS
/// reserves in every VPC block and subnet: VPC user guide, "Subnet CIDR blocks"). Instance metadata addresses
/// are added on the host by the agent, as before.
/// </summary>
public static class VpcRangeEntries
{
    public static IReadOnlyList<GeneratedEntry> Of(IEnumerable<VpcRanges> vpcs, string group)
    {
        if (group.Length == 0) return [];
        if (group is not (PolicyGroups.PrivateOrClear or PolicyGroups.Private))
            throw new ArgumentException($"'{group}' is not private-or-clear or private", nameof(group));
        var entries = new List<GeneratedEntry>();
        foreach (var vpc in vpcs.OrderBy(v => v.VpcId, StringComparer.Ordinal))
            foreach (var cidr in vpc.Cidrs)
            {
                entries.Add(new GeneratedEntry(group, cidr, vpc.VpcId, "VPC CIDR block"));
                if (cidr.BaseAddress.AddressFamily == AddressFamily.InterNetwork && cidr.PrefixLength <= 30)
                    entries.Add(new GeneratedEntry(PolicyGroups.Clear, new IPNetwork(ResolverOf(cidr), 32), vpc.VpcId, "VPC resolver (base + 2)"));
            }
        return entries;
    }

    private static IPAddress ResolverOf(IPNetwork cidr)
    {
        var bytes = cidr.BaseAddress.GetAddressBytes();
        var value = ((uint)bytes[0] << 24 | (uint)bytes[1] << 16 | (uint)bytes[2] << 8 | bytes[3]) + 2;
        return new IPAddress([(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value]);
    }
}
