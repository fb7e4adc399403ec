namespace IpsecMesh.Simulator;

/// <summary>A VPC with one subnet and a default security group admitting IKE, NAT-T and ESP from the VPC CIDR.</summary>
public sealed record SimVpc(string VpcId, string CidrBlock, string SubnetId, string DefaultSecurityGroupId, string Ipv6CidrBlock);
