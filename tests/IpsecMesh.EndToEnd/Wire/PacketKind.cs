namespace IpsecMesh.EndToEnd.Wire;

/// <summary>What an IPv4 packet on the bridge is, as far as the mesh assertions care.</summary>
public enum PacketKind
{
    Esp,
    /// <summary>UDP 500 or 4500.</summary>
    Ike,
    Icmp,
    Tcp,
    OtherUdp,
    Other,
}
