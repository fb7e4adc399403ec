using System.Net;
using Amazon.EC2.Model;
using IpsecMesh.Core.Model;

namespace IpsecMesh.Core.Cloud;

/// <summary>Maps the SDK's instance model to the controller's snapshot; names and addresses only as EC2 reports them.</summary>
internal static class InstanceMapping
{
    /// <param name="ownerId">The reservation's owner: the account in the instance's ARN.</param>
    /// <param name="region">The region the instance was described in.</param>
    public static InstanceSnapshot ToSnapshot(Instance instance, string? ownerId, string region, DateTimeOffset observedAt)
    {
        var addresses = new List<IPAddress>();
        var dnsNames = new List<string>();
        AddName(dnsNames, instance.PrivateDnsName);
        foreach (var eni in instance.NetworkInterfaces ?? [])
        {
            AddName(dnsNames, eni.PrivateDnsName);
            foreach (var ip in eni.PrivateIpAddresses ?? [])
            {
                AddAddress(addresses, ip.PrivateIpAddress);
                AddName(dnsNames, ip.PrivateDnsName);
            }
            foreach (var ip6 in eni.Ipv6Addresses ?? []) AddAddress(addresses, ip6.Ipv6Address);
        }
        AddAddress(addresses, instance.PrivateIpAddress);
        return new InstanceSnapshot
        {
            InstanceId = instance.InstanceId,
            InstanceArn = string.IsNullOrEmpty(ownerId) ? "" : InstanceArns.Of(region, ownerId, instance.InstanceId),
            State = instance.State?.Name?.Value ?? "unknown",
            Tags = (instance.Tags ?? []).Where(t => t.Key is not null).GroupBy(t => t.Key).ToDictionary(g => g.Key, g => g.Last().Value ?? "", StringComparer.Ordinal),
            PrivateDnsName = instance.PrivateDnsName ?? "",
            PrivateDnsNames = dnsNames,
            PrivateAddresses = addresses,
            VpcId = instance.VpcId,
            SubnetIds = (instance.NetworkInterfaces ?? []).Select(n => n.SubnetId).Append(instance.SubnetId)
                .Where(id => !string.IsNullOrEmpty(id)).Distinct(StringComparer.Ordinal).ToList(),
            SecurityGroupIds = (instance.SecurityGroups ?? []).Select(g => g.GroupId).Where(id => id is not null).Distinct().ToList(),
            ObservedAt = observedAt,
        };
    }

    private static void AddName(List<string> names, string? name)
    {
        if (!string.IsNullOrWhiteSpace(name) && !names.Contains(name, StringComparer.OrdinalIgnoreCase)) names.Add(name.ToLowerInvariant());
    }

    private static void AddAddress(List<IPAddress> addresses, string? text)
    {
        if (IPAddress.TryParse(text, out var ip) && !addresses.Contains(ip)) addresses.Add(ip);
    }
}
