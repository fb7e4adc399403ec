namespace IpsecMesh.Simulator;

/// <summary>An ENI: its first private IP is the primary one.</summary>
public sealed class SimNetworkInterface
{
    internal SimNetworkInterface(string id, int deviceIndex, string subnetId, string vpcId, string macAddress)
    {
        NetworkInterfaceId = id;
        DeviceIndex = deviceIndex;
        SubnetId = subnetId;
        VpcId = vpcId;
        MacAddress = macAddress;
    }

    public string NetworkInterfaceId { get; }
    public int DeviceIndex { get; }
    public string SubnetId { get; }
    public string VpcId { get; }
    public string MacAddress { get; }
    internal List<string> PrivateIps { get; } = [];
    internal List<string> Ipv6s { get; } = [];

    public IReadOnlyList<string> PrivateIpAddresses => PrivateIps.ToArray();
    public IReadOnlyList<string> Ipv6Addresses => Ipv6s.ToArray();
}
