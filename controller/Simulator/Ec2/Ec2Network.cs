using System.Xml.Linq;
using IpsecMesh.Simulator.Wire;
using static IpsecMesh.Simulator.Ec2.Ec2Xml;

namespace IpsecMesh.Simulator.Ec2;

/// <summary>
/// DescribeVpcs, DescribeNetworkInterfaces and DescribeNetworkAcls as the EC2 query API answers them (EC2 API
/// reference: vpcSet / networkInterfaceSet / networkAclSet items, nextToken), with the filters the controller and
/// the AWS CLI use.
/// </summary>
internal static class Ec2Network
{
    /// <summary>One interface row: an instance's ENI (attached, interfaceType "interface") or a managed service's.</summary>
    private sealed record Row(string Id, string Type, string Description, bool RequesterManaged, string? RequesterId, string VpcId, string SubnetId,
        string MacAddress, IReadOnlyList<string> PrivateIps, IReadOnlyList<string> Ipv6s, string? InstanceId, int DeviceIndex, IReadOnlyList<string> GroupIds);

    public static object[] DescribeVpcs(Fleet fleet, QueryArgs args, string accountId)
    {
        var ids = args.List("VpcId");
        var filters = args.Filters();
        var vpcs = fleet.Vpcs.OrderBy(v => v.VpcId, StringComparer.Ordinal).ToList();
        foreach (var id in ids)
            if (vpcs.All(v => v.VpcId != id)) throw new AwsServiceException(400, "InvalidVpcID.NotFound", $"The vpc ID '{id}' does not exist");
        var matching = vpcs
            .Where(v => ids.Count == 0 || ids.Contains(v.VpcId))
            .Where(v => filters.All(f => f.Name switch
            {
                "vpc-id" => FilterMatcher.AnyMatches(f.Values, [v.VpcId]),
                "cidr" or "cidr-block-association.cidr-block" => FilterMatcher.AnyMatches(f.Values, [v.CidrBlock]),
                "ipv6-cidr-block-association.ipv6-cidr-block" => FilterMatcher.AnyMatches(f.Values, [v.Ipv6CidrBlock]),
                "is-default" => FilterMatcher.AnyMatches(f.Values, [Bool(v.VpcId == fleet.DefaultVpc.VpcId)]),
                "state" => FilterMatcher.AnyMatches(f.Values, ["available"]),
                _ => throw Ec2Errors.InvalidParameterValue($"The filter '{f.Name}' is invalid"),
            }));
        return [Set("vpcSet", matching.Select(v => Item(
            E("vpcId", v.VpcId),
            E("ownerId", accountId),
            E("state", "available"),
            E("cidrBlock", v.CidrBlock),
            Set("cidrBlockAssociationSet", [Item(E("cidrBlock", v.CidrBlock), E("associationId", "vpc-cidr-assoc-" + v.VpcId[4..]),
                E("cidrBlockState", E("state", "associated")))]),
            Set("ipv6CidrBlockAssociationSet", [Item(E("ipv6CidrBlock", v.Ipv6CidrBlock), E("associationId", "vpc-cidr-assoc-6" + v.VpcId[5..]),
                E("ipv6CidrBlockState", E("state", "associated")), E("networkBorderGroup", "us-east-1"), E("ipv6Pool", "Amazon"))]),
            E("dhcpOptionsId", "dopt-" + v.VpcId[4..]),
            E("instanceTenancy", "default"),
            E("isDefault", Bool(v.VpcId == fleet.DefaultVpc.VpcId)),
            E("tagSet"))))];
    }

    public static object[] DescribeNetworkInterfaces(Fleet fleet, QueryArgs args, string accountId, string availabilityZone)
    {
        var ids = args.List("NetworkInterfaceId");
        var filters = args.Filters();
        var maxResults = args.Int("MaxResults");
        if (maxResults is not null && ids.Count > 0)
            throw Ec2Errors.InvalidParameterCombination("The parameter NetworkInterfaceIds cannot be used with the parameter MaxResults");
        if (maxResults is < 5 or > 1000)
            throw Ec2Errors.InvalidParameterValue($"Value ( {maxResults} ) for parameter maxResults is invalid. Expecting a value between 5 and 1000.");
        var after = PageToken.Decode("interfaces", args["NextToken"]);
        var rows = Rows(fleet);
        foreach (var id in ids)
            if (rows.All(r => r.Id != id)) throw new AwsServiceException(400, "InvalidNetworkInterfaceID.NotFound", $"The networkInterface ID '{id}' does not exist");
        var matching = rows
            .Select((r, index) => (Row: r, Index: index))
            .Where(p => p.Index > after)
            .Where(p => ids.Count == 0 || ids.Contains(p.Row.Id))
            .Where(p => filters.All(f => Matches(p.Row, f.Name, f.Values)));
        var page = (maxResults is { } max ? matching.Take(max + 1) : matching).ToList();
        string? next = null;
        if (maxResults is { } limit && page.Count > limit)
        {
            page.RemoveAt(limit);
            next = PageToken.Encode("interfaces", page[^1].Index);
        }
        return
        [
            Set("networkInterfaceSet", page.Select(p => InterfaceItem(p.Row, fleet, accountId, availabilityZone))),
            next is null ? null! : E("nextToken", next),
        ];
    }

    public static object[] DescribeNetworkAcls(Fleet fleet, QueryArgs args, string accountId)
    {
        var ids = args.List("NetworkAclId");
        var filters = args.Filters();
        var maxResults = args.Int("MaxResults");
        if (maxResults is < 5 or > 100)
            throw Ec2Errors.InvalidParameterValue($"Value ( {maxResults} ) for parameter maxResults is invalid. Expecting a value between 5 and 100.");
        var acls = fleet.NetworkAcls.OrderBy(a => a.NetworkAclId, StringComparer.Ordinal).ToList();
        foreach (var id in ids)
            if (acls.All(a => a.NetworkAclId != id)) throw new AwsServiceException(400, "InvalidNetworkAclID.NotFound", $"The network ACL '{id}' does not exist");
        var matching = acls
            .Where(a => ids.Count == 0 || ids.Contains(a.NetworkAclId))
            .Where(a => filters.All(f => f.Name switch
            {
                "association.subnet-id" => FilterMatcher.AnyMatches(f.Values, a.SubnetIds),
                "vpc-id" => FilterMatcher.AnyMatches(f.Values, [a.VpcId]),
                "network-acl-id" => FilterMatcher.AnyMatches(f.Values, [a.NetworkAclId]),
                "default" => FilterMatcher.AnyMatches(f.Values, [Bool(a.IsDefault)]),
                _ => throw Ec2Errors.InvalidParameterValue($"The filter '{f.Name}' is invalid"),
            }));
        return [Set("networkAclSet", matching.Select(a => Item(
            E("networkAclId", a.NetworkAclId),
            E("vpcId", a.VpcId),
            E("default", Bool(a.IsDefault)),
            Set("entrySet", EntriesWithDefaultDeny(a).Select(EntryItem)),
            Set("associationSet", a.SubnetIds.Select(s => Item(
                E("networkAclAssociationId", "aclassoc-" + s["subnet-".Length..]), E("networkAclId", a.NetworkAclId), E("subnetId", s)))),
            E("tagSet"),
            E("ownerId", accountId))))];
    }

    /// <summary>The entries as EC2 lists them: the ACL's own, then the default deny (rule 32767) per direction and family.</summary>
    private static IEnumerable<SimNetworkAclEntry> EntriesWithDefaultDeny(SimNetworkAcl acl) =>
        acl.Entries.Concat(
        [
            SimNetworkAclEntry.Deny(32767, egress: false, "-1", "0.0.0.0/0"),
            SimNetworkAclEntry.Deny(32767, egress: false, "-1", "::/0"),
            SimNetworkAclEntry.Deny(32767, egress: true, "-1", "0.0.0.0/0"),
            SimNetworkAclEntry.Deny(32767, egress: true, "-1", "::/0"),
        ]).OrderBy(e => e.Egress).ThenBy(e => e.RuleNumber);

    private static XElement EntryItem(SimNetworkAclEntry e) => Item(
        E("ruleNumber", e.RuleNumber),
        E("protocol", e.Protocol),
        E("ruleAction", e.RuleAction),
        E("egress", Bool(e.Egress)),
        e.IsIpv6 ? E("ipv6CidrBlock", e.Cidr) : E("cidrBlock", e.Cidr),
        e.FromPort is { } from ? E("portRange", E("from", from), E("to", e.ToPort ?? from)) : null);

    private static List<Row> Rows(Fleet fleet)
    {
        var rows = new List<Row>();
        lock (fleet.Sync)
        {
            // A terminated instance has released its interfaces.
            foreach (var i in fleet.Instances.Where(i => i.CurrentState != InstanceState.Terminated))
                foreach (var n in i.Interfaces)
                    rows.Add(new Row(n.NetworkInterfaceId, "interface", "", false, null, n.VpcId, n.SubnetId, n.MacAddress, n.PrivateIps.ToArray(), n.Ipv6s.ToArray(),
                        i.InstanceId, n.DeviceIndex, i.GroupIds.ToArray()));
        }
        foreach (var m in fleet.ManagedInterfaces)
            rows.Add(new Row(m.NetworkInterfaceId, m.InterfaceType, m.Description, m.RequesterManaged, m.RequesterManaged ? m.RequesterId : null, m.VpcId, m.SubnetId,
                "0e:00:" + m.NetworkInterfaceId[^8..^6] + ":" + m.NetworkInterfaceId[^6..^4] + ":" + m.NetworkInterfaceId[^4..^2] + ":" + m.NetworkInterfaceId[^2..],
                [m.PrivateIpAddress], m.Ipv6Addresses, null, 1, []));
        return rows;
    }

    private static bool Matches(Row row, string filter, IReadOnlyList<string> values) => filter switch
    {
        "vpc-id" => FilterMatcher.AnyMatches(values, [row.VpcId]),
        "subnet-id" => FilterMatcher.AnyMatches(values, [row.SubnetId]),
        "network-interface-id" => FilterMatcher.AnyMatches(values, [row.Id]),
        "interface-type" => FilterMatcher.AnyMatches(values, [row.Type]),
        "requester-managed" => FilterMatcher.AnyMatches(values, [Bool(row.RequesterManaged)]),
        "requester-id" => FilterMatcher.AnyMatches(values, [row.RequesterId]),
        "attachment.instance-id" => FilterMatcher.AnyMatches(values, [row.InstanceId]),
        "addresses.private-ip-address" or "private-ip-address" => FilterMatcher.AnyMatches(values, row.PrivateIps),
        "description" => FilterMatcher.AnyMatches(values, [row.Description]),
        "status" => FilterMatcher.AnyMatches(values, ["in-use"]),
        _ => throw Ec2Errors.InvalidParameterValue($"The filter '{filter}' is invalid"),
    };

    private static XElement InterfaceItem(Row r, Fleet fleet, string accountId, string availabilityZone) => Item(
        E("networkInterfaceId", r.Id),
        E("subnetId", r.SubnetId),
        E("vpcId", r.VpcId),
        E("availabilityZone", availabilityZone),
        E("description", r.Description),
        E("ownerId", accountId),
        r.RequesterId is null ? null : E("requesterId", r.RequesterId),
        E("requesterManaged", Bool(r.RequesterManaged)),
        E("status", "in-use"),
        E("macAddress", r.MacAddress),
        E("privateIpAddress", r.PrivateIps[0]),
        E("privateDnsName", fleet.DnsNameOf(r.PrivateIps[0])),
        E("sourceDestCheck", "true"),
        Set("groupSet", r.GroupIds.Select(g => Item(E("groupId", g), E("groupName", g)))),
        r.InstanceId is null ? null : E("attachment",
            E("attachmentId", "eni-attach-" + r.Id["eni-".Length..]),
            E("instanceId", r.InstanceId),
            E("instanceOwnerId", accountId),
            E("deviceIndex", r.DeviceIndex),
            E("status", "attached"),
            E("deleteOnTermination", "true")),
        E("interfaceType", r.Type),
        E("tagSet"),
        Set("privateIpAddressesSet", r.PrivateIps.Select((ip, index) => Item(
            E("privateIpAddress", ip), E("privateDnsName", fleet.DnsNameOf(ip)), E("primary", Bool(index == 0))))),
        Set("ipv6AddressesSet", r.Ipv6s.Select(ip => Item(E("ipv6Address", ip)))));
}
