using System.Net;

namespace IpsecMesh.Core.Cloud;

/// <summary>Addresses in numeric order, IPv4 before IPv6 (the order of every address list the controller sends or prints).</summary>
public sealed class AddressOrder : IComparer<IPAddress>
{
    public static readonly AddressOrder Instance = new();

    public int Compare(IPAddress? x, IPAddress? y)
    {
        if (x is null || y is null) return (x is null ? 0 : 1) - (y is null ? 0 : 1);
        if (x.AddressFamily != y.AddressFamily) return x.AddressFamily.CompareTo(y.AddressFamily);
        var (a, b) = (x.GetAddressBytes(), y.GetAddressBytes());
        for (var i = 0; i < Math.Min(a.Length, b.Length); i++)
            if (a[i] != b[i]) return a[i].CompareTo(b[i]);
        return a.Length.CompareTo(b.Length);
    }
}
