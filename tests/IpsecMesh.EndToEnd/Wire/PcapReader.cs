using System.Buffers.Binary;
using System.Net;

namespace IpsecMesh.EndToEnd.Wire;

/// <summary>Reads the IPv4 packets of a classic pcap file with Ethernet frames (what tcpdump -w writes).</summary>
public static class PcapReader
{
    private const uint MicrosecondMagic = 0xa1b2c3d4;
    private const uint NanosecondMagic = 0xa1b23c4d;
    private const int EthernetLinkType = 1;
    private const int GlobalHeaderLength = 24;
    private const int RecordHeaderLength = 16;
    private const int EthernetHeaderLength = 14;

    public static IReadOnlyList<CapturedPacket> Read(string path) => Parse(File.ReadAllBytes(path));

    public static IReadOnlyList<CapturedPacket> Parse(ReadOnlySpan<byte> file)
    {
        if (file.Length < GlobalHeaderLength) throw new InvalidDataException("not a pcap file: too short");
        var magic = BinaryPrimitives.ReadUInt32LittleEndian(file);
        var bigEndian = magic is not (MicrosecondMagic or NanosecondMagic);
        if (bigEndian) magic = BinaryPrimitives.ReadUInt32BigEndian(file);
        if (magic is not (MicrosecondMagic or NanosecondMagic)) throw new InvalidDataException($"not a pcap file: magic {magic:x8}");
        uint U32(ReadOnlySpan<byte> b) => bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(b) : BinaryPrimitives.ReadUInt32LittleEndian(b);
        if (U32(file[20..]) != EthernetLinkType) throw new InvalidDataException("pcap link type is not Ethernet");
        var ticksPerFraction = magic == NanosecondMagic ? 0.01 : 10.0;

        var packets = new List<CapturedPacket>();
        var offset = GlobalHeaderLength;
        while (offset + RecordHeaderLength <= file.Length)
        {
            var header = file[offset..];
            var seconds = U32(header);
            var fraction = U32(header[4..]);
            var capturedLength = (int)U32(header[8..]);
            offset += RecordHeaderLength;
            if (offset + capturedLength > file.Length) break; // a record cut short by a stopped capture
            var timestamp = DateTimeOffset.UnixEpoch.AddSeconds(seconds).AddTicks((long)(fraction * ticksPerFraction));
            if (TryParseIpv4(file.Slice(offset, capturedLength), timestamp, out var packet)) packets.Add(packet);
            offset += capturedLength;
        }
        return packets;
    }

    private static bool TryParseIpv4(ReadOnlySpan<byte> frame, DateTimeOffset timestamp, out CapturedPacket packet)
    {
        packet = null!;
        if (frame.Length < EthernetHeaderLength + 20 || BinaryPrimitives.ReadUInt16BigEndian(frame[12..]) != 0x0800) return false;
        var ip = frame[EthernetHeaderLength..];
        if (ip[0] >> 4 != 4) return false;
        var headerLength = (ip[0] & 0x0f) * 4;
        var source = new IPAddress(ip.Slice(12, 4)).ToString();
        var destination = new IPAddress(ip.Slice(16, 4)).ToString();
        var kind = ip[9] switch
        {
            50 => PacketKind.Esp,
            // A host without IPsec answers IKE with port unreachable: part of the IKE exchange, not payload.
            1 when IsIcmpErrorAboutIke(ip[headerLength..]) => PacketKind.Ike,
            1 => PacketKind.Icmp,
            6 => PacketKind.Tcp,
            17 when ip.Length >= headerLength + 4 && IsIkePort(ip[headerLength..]) => PacketKind.Ike,
            17 => PacketKind.OtherUdp,
            _ => PacketKind.Other,
        };
        packet = new CapturedPacket(timestamp, source, destination, kind);
        return true;
    }

    private static bool IsIcmpErrorAboutIke(ReadOnlySpan<byte> icmp)
    {
        const int DestinationUnreachable = 3, IcmpHeaderLength = 8;
        if (icmp.Length < IcmpHeaderLength + 20 || icmp[0] != DestinationUnreachable) return false;
        var quoted = icmp[IcmpHeaderLength..];
        var quotedHeaderLength = (quoted[0] & 0x0f) * 4;
        return quoted[9] == 17 && quoted.Length >= quotedHeaderLength + 4 && IsIkePort(quoted[quotedHeaderLength..]);
    }

    private static bool IsIkePort(ReadOnlySpan<byte> udp)
    {
        var sourcePort = BinaryPrimitives.ReadUInt16BigEndian(udp);
        var destinationPort = BinaryPrimitives.ReadUInt16BigEndian(udp[2..]);
        return sourcePort is 500 or 4500 && destinationPort is 500 or 4500;
    }
}
