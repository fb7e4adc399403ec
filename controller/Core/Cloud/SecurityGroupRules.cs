namespace IpsecMesh.Core.Cloud;

/// <summary>
/// The rules of one security group, reduced to what the IPsec check needs: ingress (sources) and egress
/// (destinations) permissions, as DescribeSecurityGroups reports ipPermissions and ipPermissionsEgress.
/// </summary>
public sealed record SecurityGroupRules(string GroupId, IReadOnlyList<IngressRule> Ingress)
{
    /// <summary>Egress permissions: their <see cref="IngressRule.Cidrs"/> are destinations. A group with none admits nothing outbound.</summary>
    public IReadOnlyList<IngressRule> Egress { get; init; } = [];
}

/// <summary>One permission: protocol ("-1" all, "udp", "50" ESP …), port range, and peers (sources of ingress, destinations of egress).</summary>
public sealed record IngressRule(string Protocol, int? FromPort, int? ToPort, IReadOnlyList<System.Net.IPNetwork> Cidrs, IReadOnlyList<string> SourceGroupIds);
