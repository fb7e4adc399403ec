namespace IpsecMesh.Core.Cloud;

/// <summary>The ingress rules of one security group, reduced to what the IPsec check needs.</summary>
public sealed record SecurityGroupRules(string GroupId, IReadOnlyList<IngressRule> Ingress);

/// <summary>One ingress permission: protocol ("-1" all, "udp", "50" ESP …), port range, and sources.</summary>
public sealed record IngressRule(string Protocol, int? FromPort, int? ToPort, IReadOnlyList<System.Net.IPNetwork> Cidrs, IReadOnlyList<string> SourceGroupIds);
