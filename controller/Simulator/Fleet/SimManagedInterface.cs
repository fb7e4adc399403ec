namespace IpsecMesh.Simulator;

/// <summary>
/// A network interface of an AWS service rather than of an instance (a load balancer node, a NAT gateway, a VPC
/// endpoint, an RDS instance, an EFS mount target, …), as DescribeNetworkInterfaces reports it: EC2's
/// <c>interfaceType</c> ("network_load_balancer", "natGateway", "vpc_endpoint", "lambda", or "interface" for RDS,
/// ALB and EFS), <c>requesterManaged</c> and <c>requesterId</c>, one private IPv4 address and optionally IPv6 ones.
/// No agent runs behind it.
/// </summary>
public sealed record SimManagedInterface(
    string NetworkInterfaceId,
    string InterfaceType,
    string Description,
    bool RequesterManaged,
    string VpcId,
    string SubnetId,
    string PrivateIpAddress,
    IReadOnlyList<string> Ipv6Addresses)
{
    /// <summary>The service account that created it (EC2's requesterId), e.g. "amazon-elb".</summary>
    public string RequesterId { get; init; } = "amazon-aws";
}
