namespace IpsecMesh.EndToEnd.Guest;

/// <summary>A running tcpdump on the guest's bridge and the pcap file it writes.</summary>
public sealed record BridgeCapture(string Name, string PcapPath);
