using System.Net;

namespace IpsecMesh.HostAgent.Policy;

/// <summary>One CIDR of a policy group and the line it came from.</summary>
public sealed record PolicyEntry(string Group, IPNetwork Network, int Line);
