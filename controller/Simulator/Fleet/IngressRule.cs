namespace IpsecMesh.Simulator;

/// <summary>
/// One ingress permission as EC2 reports it: protocol "tcp", "udp", "icmp", a number such as "50"
/// (ESP) or "-1" (all); ports only for tcp/udp; sources as IPv4/IPv6 CIDRs or security group ids.
/// </summary>
public sealed record IngressRule(string Protocol, int? FromPort = null, int? ToPort = null)
{
    public IReadOnlyList<string> Cidrs { get; init; } = [];
    public IReadOnlyList<string> Ipv6Cidrs { get; init; } = [];
    public IReadOnlyList<string> SourceGroupIds { get; init; } = [];

    public static IngressRule Udp(int port, string cidr) => new("udp", port, port) { Cidrs = [cidr] };

    public static IngressRule Esp(string cidr) => new("50") { Cidrs = [cidr] };

    public static IngressRule All(string cidr) => new("-1") { Cidrs = [cidr] };
}
