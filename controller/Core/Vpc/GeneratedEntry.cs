using System.Net;

namespace IpsecMesh.Core.Vpc;

/// <summary>
/// One network the controller put into a policy group from the VPC, and why: <paramref name="Source"/> is the
/// interface id (<c>eni-…</c>) or the VPC id (<c>vpc-…</c>); <paramref name="Reason"/> a short human phrase
/// ("network_load_balancer: ELB net/web/…", "requester-managed interface: RDSNetworkInterface", "VPC CIDR block",
/// "VPC resolver (base + 2)").
/// </summary>
public sealed record GeneratedEntry(string Group, IPNetwork Network, string Source, string Reason);
