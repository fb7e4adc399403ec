using System.Net;

namespace IpsecMesh.Core.Cloud;

/// <summary>
/// One elastic network interface as <c>DescribeNetworkInterfaces</c> reports it (EC2 API reference,
/// NetworkInterface): <paramref name="InterfaceType"/> is EC2's <c>interfaceType</c> ("interface",
/// "network_load_balancer", "natGateway", "vpc_endpoint", "lambda", …); <paramref name="RequesterManaged"/>
/// is true when an AWS service created and manages it (RDS, ALB, EFS mount targets, …);
/// <paramref name="AttachedInstanceId"/> is the instance it is attached to, if any. Addresses are every
/// private IPv4 and IPv6 address of the interface.
/// </summary>
public sealed record NetworkInterfaceFact(
    string InterfaceId,
    string InterfaceType,
    string Description,
    bool RequesterManaged,
    string? AttachedInstanceId,
    string VpcId,
    string SubnetId,
    IReadOnlyList<IPAddress> Addresses);
