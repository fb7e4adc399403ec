using IpsecMesh.Core.Model;

namespace IpsecMesh.Core.Cloud;

/// <summary>The EC2 calls the controller makes, batched where AWS allows it.</summary>
public interface IEc2Gateway
{
    /// <summary>Pages (up to 1000) of the tagged, live instances, optionally in one VPC.</summary>
    IAsyncEnumerable<IReadOnlyList<InstanceSnapshot>> ListTaggedAsync(CancellationToken cancellationToken);

    /// <summary>One instance as EC2 reports it now (coalesced with concurrent reads); null when EC2 does not know it.</summary>
    Task<InstanceSnapshot?> DescribeAsync(string instanceId, CancellationToken cancellationToken);

    /// <summary>
    /// Removes the keys in <paramref name="remove"/>, then sets <paramref name="tags"/> (each coalesced across instances
    /// that get the identical write). EC2 has no one call for both (DeleteTags, CreateTags): removals land first, so no
    /// reader sees the new tags (a phase of <c>disabled</c>) beside tags this write retires (a sealed CertExpiry).
    /// </summary>
    Task SetTagsAsync(string instanceId, IReadOnlyDictionary<string, string> tags, IReadOnlyCollection<string> remove, CancellationToken cancellationToken);

    /// <summary>
    /// Pages (up to 1,000 a call) of every network interface in <paramref name="vpcIds"/> (DescribeNetworkInterfaces,
    /// filter vpc-id): the controller's source of managed-service addresses.
    /// </summary>
    IAsyncEnumerable<IReadOnlyList<NetworkInterfaceFact>> ListNetworkInterfacesAsync(IReadOnlyCollection<string> vpcIds, CancellationToken cancellationToken);

    /// <summary>The CIDR blocks of <paramref name="vpcIds"/> (one DescribeVpcs).</summary>
    Task<IReadOnlyList<VpcRanges>> DescribeVpcsAsync(IReadOnlyCollection<string> vpcIds, CancellationToken cancellationToken);

    /// <summary>The network ACLs associated with <paramref name="subnetIds"/> (one DescribeNetworkAcls, filter association.subnet-id).</summary>
    Task<IReadOnlyList<NetworkAcl>> DescribeNetworkAclsAsync(IReadOnlyCollection<string> subnetIds, CancellationToken cancellationToken);

    Task<IReadOnlyList<SecurityGroupRules>> DescribeSecurityGroupsAsync(IReadOnlyCollection<string> groupIds, CancellationToken cancellationToken);
}
