namespace IpsecMesh.EndToEnd.Wire;

/// <summary>One IPv4 packet from a bridge capture (timestamps are the guest's clock).</summary>
public sealed record CapturedPacket(DateTimeOffset Timestamp, string Source, string Destination, PacketKind Kind)
{
    public bool IsCleartext => Kind is PacketKind.Icmp or PacketKind.Tcp or PacketKind.OtherUdp or PacketKind.Other;

    public bool Between(string a, string b) => (Source == a && Destination == b) || (Source == b && Destination == a);
}
