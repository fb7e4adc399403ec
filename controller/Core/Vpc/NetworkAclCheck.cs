using System.Net;
using IpsecMesh.Core.Cloud;

namespace IpsecMesh.Core.Vpc;

/// <summary>
/// Evaluates a network ACL the way the VPC does (VPC user guide, "Network ACL rules"): stateless, so ingress
/// (from the peers) and egress (to the peers) separately; entries in ascending rule number, the first whose
/// protocol, ports and CIDR match decides; nothing matching is the default "*" deny. A peer range that an allow
/// entry covers only in part goes on to later entries for the rest.
/// </summary>
public static class NetworkAclCheck
{
    /// <summary>One denial: ACL id, the deciding rule ("100", or "*" for the default deny), the traffic and its direction ("from"/"to" the mesh).</summary>
    public sealed record Denial(string AclId, string Rule, string Traffic, string Direction);

    /// <summary>Every (traffic, direction) the ACL denies for some peer in <paramref name="peers"/>; empty when all is admitted.</summary>
    public static IReadOnlyList<Denial> Denials(NetworkAcl acl, IReadOnlyList<IPNetwork> peers)
    {
        var denials = new List<Denial>();
        foreach (var egress in new[] { false, true })
        {
            var entries = acl.Entries.Where(e => e.Egress == egress).OrderBy(e => e.RuleNumber).ToList();
            foreach (var traffic in IpsecTraffic.All)
            {
                var rule = peers.Select(p => DenyingRule(entries, traffic, p)).FirstOrDefault(r => r is not null);
                if (rule is not null) denials.Add(new Denial(acl.AclId, rule, traffic.Name, egress ? "to" : "from"));
            }
        }
        return denials;
    }

    /// <summary>The rule that denies some of <paramref name="peer"/> this traffic, or null when every address of it is allowed.</summary>
    private static string? DenyingRule(IReadOnlyList<NetworkAclEntry> entries, IpsecTraffic traffic, IPNetwork peer)
    {
        foreach (var entry in entries)
        {
            if (!traffic.MatchedBy(entry.Protocol, entry.FromPort, entry.ToPort) || !IpsecTraffic.Overlaps(entry.Cidr, peer)) continue;
            if (!entry.Allow) return entry.RuleNumber == 32767 ? "*" : entry.RuleNumber.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (IpsecTraffic.Covers(entry.Cidr, peer)) return null;
        }
        return "*";
    }

    /// <summary>
    /// "network ACL acl-0abc denies ESP to the mesh (rule 90), UDP 500 from the mesh (default rule)" for the denials of one ACL
    /// (an EC2 tag value cannot hold "*", so the default deny is "default rule").
    /// </summary>
    public static string Describe(IReadOnlyList<Denial> denials) =>
        string.Join("; ", denials.GroupBy(d => d.AclId).Select(g =>
            $"network ACL {g.Key} denies " + string.Join(", ", g.Select(d => $"{d.Traffic} {d.Direction} the mesh ({(d.Rule == "*" ? "default rule" : "rule " + d.Rule)})"))));
}
