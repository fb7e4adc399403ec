using System.Collections.Concurrent;
using System.Net;
using IpsecMesh.Core.Cloud;
using IpsecMesh.Core.Reconcile;

namespace IpsecMesh.Core.Hosts;

/// <summary>
/// Checks that an instance's security groups (whose rules AWS applies as a union) admit IKE (UDP 500),
/// NAT-T (UDP 4500) and ESP (IP protocol 50) from the mesh. Group rules are cached for a while: they
/// change rarely and many instances share a group.
/// </summary>
public sealed class SecurityGroupChecker(IEc2Gateway ec2, TimeProvider time, TimeSpan cacheFor)
{
    private readonly ConcurrentDictionary<string, (SecurityGroupRules Rules, DateTimeOffset Until)> _cache = new(StringComparer.Ordinal);

    /// <summary>Null when IPsec traffic is admitted, otherwise one sentence naming the groups and what is missing.</summary>
    public async Task<string?> CheckAsync(InstanceSnapshot instance, IReadOnlyList<IPNetwork> mesh, CancellationToken cancellationToken)
    {
        if (instance.SecurityGroupIds.Count == 0) return null;
        var now = time.GetUtcNow();
        var missing = instance.SecurityGroupIds.Where(id => !_cache.TryGetValue(id, out var entry) || entry.Until <= now).ToList();
        if (missing.Count > 0)
            foreach (var rules in await ec2.DescribeSecurityGroupsAsync(missing, cancellationToken))
                _cache[rules.GroupId] = (rules, now + cacheFor);
        var rulesOfInstance = instance.SecurityGroupIds.Select(id => _cache.TryGetValue(id, out var e) ? e.Rules : null).Where(r => r is not null).SelectMany(r => r!.Ingress).ToList();
        var blocked = Requirements.Where(need => !rulesOfInstance.Any(rule => Admits(rule, need, mesh))).Select(need => need.Name).ToList();
        if (blocked.Count == 0) return null;
        var groups = string.Join(", ", instance.SecurityGroupIds);
        var plural = instance.SecurityGroupIds.Count > 1;
        return StatusText.Clean($"security group{(plural ? "s" : "")} {groups} block{(plural ? "" : "s")} {string.Join(", ", blocked)} from the mesh");
    }

    private sealed record Need(string Name, string Protocol, int? Port);

    private static readonly Need[] Requirements = [new("UDP 500", "udp", 500), new("UDP 4500", "udp", 4500), new("ESP", "50", null)];

    private static bool Admits(IngressRule rule, Need need, IReadOnlyList<IPNetwork> mesh)
    {
        var protocol = rule.Protocol.ToLowerInvariant();
        var protocolOk = protocol switch
        {
            "-1" or "all" => true,
            "udp" or "17" => need.Protocol == "udp" && (rule.FromPort is null || rule.FromPort == -1 || (rule.FromPort <= need.Port && need.Port <= rule.ToPort)),
            "50" or "esp" => need.Protocol == "50",
            _ => false,
        };
        if (!protocolOk) return false;
        // A rule naming a source group admits whatever members it has; the controller cannot see group membership cheaply, so it trusts it.
        if (rule.SourceGroupIds.Count > 0) return true;
        return rule.Cidrs.Any(cidr => mesh.Any(m => Overlaps(cidr, m)));
    }

    private static bool Overlaps(IPNetwork a, IPNetwork b) =>
        a.BaseAddress.AddressFamily == b.BaseAddress.AddressFamily && (a.Contains(b.BaseAddress) || b.Contains(a.BaseAddress));
}
