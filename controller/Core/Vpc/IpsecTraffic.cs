using System.Net;

namespace IpsecMesh.Core.Vpc;

/// <summary>The traffic a mesh host must exchange with its peers: IKE (UDP 500), NAT-T (UDP 4500), ESP (IP protocol 50).</summary>
public sealed record IpsecTraffic(string Name, string Protocol, int? Port)
{
    public static readonly IReadOnlyList<IpsecTraffic> All = [new("UDP 500", "udp", 500), new("UDP 4500", "udp", 4500), new("ESP", "50", null)];

    /// <summary>
    /// True when a rule's protocol (EC2 spelling: "-1"/"all", "udp"/"17", "50"/"esp", …) and port range (null or -1: all)
    /// cover this traffic.
    /// </summary>
    public bool MatchedBy(string protocol, int? fromPort, int? toPort) => protocol.ToLowerInvariant() switch
    {
        "-1" or "all" => true,
        "udp" or "17" => Protocol == "udp" && (fromPort is null || fromPort == -1 || (fromPort <= Port && Port <= toPort)),
        "50" or "esp" => Protocol == "50",
        _ => false,
    };

    /// <summary>Same address family and one contains the other's base.</summary>
    public static bool Overlaps(IPNetwork a, IPNetwork b) =>
        a.BaseAddress.AddressFamily == b.BaseAddress.AddressFamily && (a.Contains(b.BaseAddress) || b.Contains(a.BaseAddress));

    /// <summary>True when <paramref name="outer"/> contains all of <paramref name="inner"/>.</summary>
    public static bool Covers(IPNetwork outer, IPNetwork inner) =>
        outer.BaseAddress.AddressFamily == inner.BaseAddress.AddressFamily && outer.PrefixLength <= inner.PrefixLength && outer.Contains(inner.BaseAddress);
}
