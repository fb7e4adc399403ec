namespace IpsecMesh.EndToEnd.Wire;

/// <summary>Counts of packets by kind, for one scenario line.</summary>
public sealed record WireTally(int Esp, int Ike, int Cleartext)
{
    public static WireTally Of(IEnumerable<CapturedPacket> packets)
    {
        var list = packets.ToList();
        return new WireTally(list.Count(p => p.Kind == PacketKind.Esp), list.Count(p => p.Kind == PacketKind.Ike), list.Count(p => p.IsCleartext));
    }

    /// <summary>Only packets exchanged between two of the given addresses.</summary>
    public static WireTally Among(IEnumerable<CapturedPacket> packets, IReadOnlyCollection<string> addresses) =>
        Of(packets.Where(p => addresses.Contains(p.Source) && addresses.Contains(p.Destination)));

    public override string ToString() => $"esp={Esp} ike={Ike} cleartext={Cleartext}";
}
