using System.Collections.Concurrent;
using System.Net;
using IpsecMesh.Core.Cloud;
using IpsecMesh.Core.Model;

namespace IpsecMesh.Core.Vpc;

/// <summary>
/// Checks that an instance's security groups (whose rules AWS applies as a union, statefully) admit IKE (UDP 500),
/// NAT-T (UDP 4500) and ESP (IP protocol 50) from the mesh (ingress) and to it (egress: without it the host
/// answers peers but cannot reach them, the "works one way only" failure), and that the network ACLs of its
/// subnets (stateless) admit the same both ways (<see cref="NetworkAclCheck"/>). Group rules and ACLs are cached
/// for a while: they change rarely and many instances share a group and a subnet.
/// </summary>
public sealed class SecurityGroupChecker(IEc2Gateway ec2, TimeProvider time, TimeSpan cacheFor, VpcPolicyFacts? vpcFacts = null)
{
    private readonly ConcurrentDictionary<string, (SecurityGroupRules Rules, DateTimeOffset Until)> _cache = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (IReadOnlyList<NetworkAcl> Acls, DateTimeOffset Until)> _acls = new(StringComparer.Ordinal);

    /// <summary>Null when IPsec traffic is admitted, otherwise one sentence naming the groups or ACLs and what is missing.</summary>
    public async Task<string?> CheckAsync(InstanceSnapshot instance, IReadOnlyList<IPNetwork> mesh, CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        if (await CheckGroupsAsync(instance, mesh, cancellationToken) is { } groups) problems.Add(groups);
        if (await CheckAclsAsync(instance, mesh, cancellationToken) is { } acls) problems.Add(acls);
        return problems.Count == 0 ? null : StatusText.Clean(string.Join("; ", problems));
    }

    private async Task<string?> CheckGroupsAsync(InstanceSnapshot instance, IReadOnlyList<IPNetwork> mesh, CancellationToken cancellationToken)
    {
        if (instance.SecurityGroupIds.Count == 0) return null;
        var now = time.GetUtcNow();
        var missing = instance.SecurityGroupIds.Where(id => !_cache.TryGetValue(id, out var entry) || entry.Until <= now).ToList();
        if (missing.Count > 0)
            foreach (var rules in await ec2.DescribeSecurityGroupsAsync(missing, cancellationToken))
                _cache[rules.GroupId] = (rules, now + cacheFor);
        var groupsOfInstance = instance.SecurityGroupIds.Select(id => _cache.TryGetValue(id, out var e) ? e.Rules : null).OfType<SecurityGroupRules>().ToList();
        var ingress = groupsOfInstance.SelectMany(r => r.Ingress).ToList();
        var egress = groupsOfInstance.SelectMany(r => r.Egress).ToList();
        var blockedIn = IpsecTraffic.All.Where(need => !ingress.Any(rule => Admits(rule, need, mesh))).Select(need => need.Name).ToList();
        var blockedOut = IpsecTraffic.All.Where(need => !egress.Any(rule => Admits(rule, need, mesh))).Select(need => need.Name).ToList();
        if (blockedIn.Count == 0 && blockedOut.Count == 0) return null;
        var groups = string.Join(", ", instance.SecurityGroupIds);
        var plural = instance.SecurityGroupIds.Count > 1;
        var subject = $"security group{(plural ? "s" : "")} {groups}";
        if (blockedIn.Count == 0)
            return $"{subject} admit{(plural ? "" : "s")} the mesh one way only: {string.Join(", ", blockedOut)} from the mesh but not to it (egress)";
        var text = $"{subject} block{(plural ? "" : "s")} {string.Join(", ", blockedIn)} from the mesh";
        return blockedOut.Count == 0 ? text : text + $" and {string.Join(", ", blockedOut)} to it (egress)";
    }

    private async Task<string?> CheckAclsAsync(InstanceSnapshot instance, IReadOnlyList<IPNetwork> mesh, CancellationToken cancellationToken)
    {
        if (instance.SubnetIds.Count == 0) return null;
        var now = time.GetUtcNow();
        var missing = instance.SubnetIds.Where(id => !_acls.TryGetValue(id, out var entry) || entry.Until <= now).ToList();
        if (missing.Count > 0)
        {
            var acls = await ec2.DescribeNetworkAclsAsync(missing, cancellationToken);
            foreach (var subnet in missing) _acls[subnet] = ([.. acls.Where(a => a.SubnetIds.Contains(subnet))], now + cacheFor);
        }
        var peers = VpcScan.PeersIn(mesh, vpcFacts?.Vpcs ?? []);
        var denials = instance.SubnetIds
            .SelectMany(id => _acls.TryGetValue(id, out var e) ? e.Acls : [])
            .DistinctBy(a => a.AclId)
            .SelectMany(a => NetworkAclCheck.Denials(a, peers))
            .ToList();
        return denials.Count == 0 ? null : NetworkAclCheck.Describe(denials);
    }

    private static bool Admits(IngressRule rule, IpsecTraffic need, IReadOnlyList<IPNetwork> mesh)
    {
        if (!need.MatchedBy(rule.Protocol, rule.FromPort, rule.ToPort)) return false;
        // A rule naming a peer group admits whatever members it has; the controller cannot see group membership cheaply, so it trusts it.
        if (rule.SourceGroupIds.Count > 0) return true;
        return rule.Cidrs.Any(cidr => mesh.Any(m => IpsecTraffic.Overlaps(cidr, m)));
    }
}
