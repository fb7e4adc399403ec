using System.Net;

namespace IpsecMesh.HostAgent.Policy;

/// <summary>
/// Whether a host's addresses are where the mesh encrypts: a peer sends to an address in clear
/// unless one of its encrypting groups (private, private-or-clear, clear-or-private) covers it, and
/// the most specific group containing an address decides (libreswan picks the longest prefix).
/// </summary>
public static class PolicyCoverage
{
    /// <returns>Null when at least one address is in an encrypting group, else one sentence naming the first address and where it is.</returns>
    public static string? Problem(MeshPolicy policy, IReadOnlyList<IPAddress> addresses)
    {
        if (addresses.Count == 0) return null;
        var placed = addresses.Select(a => (Address: a, Group: MostSpecific(policy, a))).ToList();
        if (placed.Any(p => p.Group is { } g && PolicyGroups.Meshed.Contains(g.Group))) return null;
        var (address, group) = placed[0];
        return group is { } where
            ? $"address {address} is in the {where.Group} group ({where.Network}), in no mesh policy group: peers would reach it in clear"
            : $"address {address} is in no mesh policy group: peers would reach it in clear";
    }

    private static (string Group, IPNetwork Network)? MostSpecific(MeshPolicy policy, IPAddress address) =>
        policy.Groups.SelectMany(g => g.Value.Where(n => n.Contains(address)).Select(n => (Group: g.Key, Network: n)))
            .OrderByDescending(m => m.Network.PrefixLength)
            .Cast<(string, IPNetwork)?>()
            .FirstOrDefault();
}
