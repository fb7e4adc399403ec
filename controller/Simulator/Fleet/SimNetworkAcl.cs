namespace IpsecMesh.Simulator;

/// <summary>
/// A network ACL (EC2 NetworkAcl): stateless rules evaluated in rule-number order, first match wins, with the
/// default "*" deny (rule 32767) at the end of each direction. <see cref="SubnetIds"/> are its associations.
/// </summary>
public sealed record SimNetworkAcl(string NetworkAclId, string VpcId, bool IsDefault)
{
    public IReadOnlyList<SimNetworkAclEntry> Entries { get; init; } = [];
    public IReadOnlyList<string> SubnetIds { get; init; } = [];

    /// <summary>A VPC's default ACL: allow everything both ways (rule 100, IPv4 and IPv6), then the default deny.</summary>
    public static IReadOnlyList<SimNetworkAclEntry> AllowAll =>
    [
        SimNetworkAclEntry.Allow(100, egress: false, "-1", "0.0.0.0/0"),
        SimNetworkAclEntry.Allow(101, egress: false, "-1", "::/0"),
        SimNetworkAclEntry.Allow(100, egress: true, "-1", "0.0.0.0/0"),
        SimNetworkAclEntry.Allow(101, egress: true, "-1", "::/0"),
    ];
}

/// <summary>
/// One entry (EC2 NetworkAclEntry): <paramref name="Protocol"/> as EC2 reports it, a number ("-1" all, "17" UDP,
/// "50" ESP), <paramref name="RuleAction"/> "allow" or "deny", an IPv4 or IPv6 block (source of ingress, destination of
/// egress) and, for TCP/UDP, a port range.
/// </summary>
public sealed record SimNetworkAclEntry(int RuleNumber, bool Egress, string Protocol, string RuleAction, string Cidr, int? FromPort = null, int? ToPort = null)
{
    public bool IsIpv6 => Cidr.Contains(':', StringComparison.Ordinal);

    public static SimNetworkAclEntry Allow(int rule, bool egress, string protocol, string cidr, int? from = null, int? to = null) => new(rule, egress, protocol, "allow", cidr, from, to);

    public static SimNetworkAclEntry Deny(int rule, bool egress, string protocol, string cidr, int? from = null, int? to = null) => new(rule, egress, protocol, "deny", cidr, from, to);
}
