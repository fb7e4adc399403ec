using System.Xml.Linq;
using static IpsecMesh.Simulator.Ec2.Ec2Xml;

namespace IpsecMesh.Simulator.Ec2;

/// <summary>One instance as DescribeInstances reports it (call under the fleet lock).</summary>
internal static class InstanceXml
{
    public static XElement Reservation(SimInstance instance, Fleet fleet, string accountId, string region) =>
        Item(
            E("reservationId", instance.ReservationId),
            E("ownerId", accountId),
            E("groupSet"),
            E("instancesSet", Instance(instance, fleet, region)));

    private static XElement Instance(SimInstance i, Fleet fleet, string region)
    {
        var live = i.CurrentState != InstanceState.Terminated;
        var primary = i.Interfaces[0];
        return Item(
            E("instanceId", i.InstanceId),
            E("imageId", i.Spec.ImageId),
            E("instanceState", E("code", i.CurrentState.Code()), E("name", i.CurrentState.WireName())),
            E("privateDnsName", live ? fleet.DnsNameOf(primary.PrivateIps[0]) : ""),
            E("dnsName"),
            E("amiLaunchIndex", 0),
            E("instanceType", i.Spec.InstanceType),
            E("launchTime", Time(i.LaunchTime)),
            E("placement", E("availabilityZone", region + "a"), E("tenancy", "default")),
            E("monitoring", E("state", "disabled")),
            live ? E("subnetId", i.SubnetId) : null,
            live ? E("vpcId", i.VpcId) : null,
            live ? E("privateIpAddress", primary.PrivateIps[0]) : null,
            E("architecture", "x86_64"),
            E("rootDeviceType", "ebs"),
            E("rootDeviceName", "/dev/xvda"),
            E("platformDetails", "Linux/UNIX"),
            Set("groupSet", i.GroupIds.Select(g => Group(fleet, g))),
            Set("tagSet", i.TagMap.Select(t => Item(E("key", t.Key), E("value", t.Value)))),
            live ? Set("networkInterfaceSet", i.Interfaces.Select(n => Interface(n, i, fleet))) : E("networkInterfaceSet"));
    }

    private static XElement Interface(SimNetworkInterface n, SimInstance i, Fleet fleet) =>
        Item(
            E("networkInterfaceId", n.NetworkInterfaceId),
            E("subnetId", n.SubnetId),
            E("vpcId", n.VpcId),
            E("description"),
            E("status", "in-use"),
            E("macAddress", n.MacAddress),
            E("privateIpAddress", n.PrivateIps[0]),
            E("privateDnsName", fleet.DnsNameOf(n.PrivateIps[0])),
            E("sourceDestCheck", "true"),
            E("interfaceType", "interface"),
            Set("groupSet", i.GroupIds.Select(g => Group(fleet, g))),
            E("attachment",
                E("attachmentId", "eni-attach-" + n.NetworkInterfaceId[4..]),
                E("deviceIndex", n.DeviceIndex),
                E("networkCardIndex", 0),
                E("status", "attached"),
                E("attachTime", Time(i.LaunchTime)),
                E("deleteOnTermination", "true")),
            Set("privateIpAddressesSet", n.PrivateIps.Select((ip, index) => Item(
                E("privateIpAddress", ip),
                E("privateDnsName", fleet.DnsNameOf(ip)),
                E("primary", Bool(index == 0))))),
            Set("ipv6AddressesSet", n.Ipv6s.Select(ip => Item(E("ipv6Address", ip), E("isPrimaryIpv6", "false")))));

    private static XElement Group(Fleet fleet, string groupId)
    {
        var name = fleet.SecurityGroups.FirstOrDefault(g => g.GroupId == groupId)?.GroupName ?? "";
        return Item(E("groupId", groupId), E("groupName", name));
    }
}
