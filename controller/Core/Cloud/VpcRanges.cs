using System.Net;

namespace IpsecMesh.Core.Cloud;

/// <summary>A VPC's associated CIDR blocks (DescribeVpcs: cidrBlockAssociationSet and ipv6CidrBlockAssociationSet, state "associated").</summary>
public sealed record VpcRanges(string VpcId, IReadOnlyList<IPNetwork> Cidrs);
