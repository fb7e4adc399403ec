using System.Net;

namespace IpsecMesh.Core.Cloud;

/// <summary>A network ACL (DescribeNetworkAcls, EC2 API reference NetworkAcl): its id, VPC, the subnets associated with it and its entries.</summary>
public sealed record NetworkAcl(string AclId, string VpcId, IReadOnlyList<string> SubnetIds, IReadOnlyList<NetworkAclEntry> Entries);

/// <summary>
/// One NACL entry (EC2 NetworkAclEntry): evaluated in ascending <paramref name="RuleNumber"/> order, the first
/// match decides; 32767 is the default "*" deny. <paramref name="Protocol"/> is EC2's protocol number as text
/// ("-1" all, "17" UDP, "50" ESP, "6" TCP); <paramref name="Cidr"/> is the entry's IPv4 or IPv6 block (the
/// peer: the source of an ingress entry, the destination of an egress one); ports only for TCP/UDP.
/// </summary>
public sealed record NetworkAclEntry(int RuleNumber, bool Egress, string Protocol, bool Allow, IPNetwork Cidr, int? FromPort, int? ToPort);
