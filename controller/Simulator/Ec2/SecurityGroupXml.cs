using System.Xml.Linq;
using static IpsecMesh.Simulator.Ec2.Ec2Xml;

namespace IpsecMesh.Simulator.Ec2;

/// <summary>One security group as DescribeSecurityGroups reports it.</summary>
internal static class SecurityGroupXml
{
    public static XElement Group(SecurityGroup group) =>
        Item(
            E("ownerId", group.OwnerId),
            E("groupId", group.GroupId),
            E("groupName", group.GroupName),
            E("groupDescription", group.Description),
            E("vpcId", group.VpcId),
            Set("ipPermissions", group.Ingress.Select(r => Permission(r, group.OwnerId))),
            Set("ipPermissionsEgress", (group.Egress ?? [IngressRule.All("0.0.0.0/0")]).Select(r => Permission(r, group.OwnerId))),
            E("tagSet"));

    private static XElement Permission(IngressRule rule, string ownerId) =>
        Item(
            E("ipProtocol", rule.Protocol),
            rule.FromPort is { } from ? E("fromPort", from) : null,
            rule.ToPort is { } to ? E("toPort", to) : null,
            Set("groups", rule.SourceGroupIds.Select(g => Item(E("userId", ownerId), E("groupId", g)))),
            Set("ipRanges", rule.Cidrs.Select(c => Item(E("cidrIp", c)))),
            Set("ipv6Ranges", rule.Ipv6Cidrs.Select(c => Item(E("cidrIpv6", c)))),
            E("prefixListIds"));
}
