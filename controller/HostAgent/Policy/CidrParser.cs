using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace IpsecMesh.HostAgent.Policy;

/// <summary>Parses one CIDR strictly: an explicit prefix length and no host bits set.</summary>
public static class CidrParser
{
    /// <summary>The network, or null with the reason in <paramref name="error"/>.</summary>
    public static IPNetwork? TryParse(string text, out string? error)
    {
        error = null;
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            error = IPAddress.TryParse(text, out var bare)
                ? $"'{text}' has no prefix length (write {text}/{(bare.AddressFamily == AddressFamily.InterNetworkV6 ? 128 : 32)})"
                : $"'{text}' is not a CIDR";
            return null;
        }
        var addressText = text[..slash];
        var prefixText = text[(slash + 1)..];
        if (!IPAddress.TryParse(addressText, out var address) || addressText.Contains('%', StringComparison.Ordinal))
        {
            error = $"'{addressText}' is not an IP address";
            return null;
        }
        var maxPrefix = address.AddressFamily == AddressFamily.InterNetworkV6 ? 128 : 32;
        if (prefixText.Length == 0 || !prefixText.All(char.IsAsciiDigit)
            || !int.TryParse(prefixText, NumberStyles.None, CultureInfo.InvariantCulture, out var prefix) || prefix > maxPrefix)
        {
            error = $"'/{prefixText}' is not a prefix length between 0 and {maxPrefix}";
            return null;
        }
        var network = new IPNetwork(Masked(address, prefix), prefix);
        if (!network.BaseAddress.Equals(address))
        {
            error = $"'{text}' has host bits set (did you mean {network}?)";
            return null;
        }
        return network;
    }

    private static IPAddress Masked(IPAddress address, int prefix)
    {
        var bytes = address.GetAddressBytes();
        for (var i = 0; i < bytes.Length; i++)
        {
            var bitsInByte = Math.Clamp(prefix - (i * 8), 0, 8);
            bytes[i] &= (byte)(0xFF << (8 - bitsInByte));
        }
        return new IPAddress(bytes);
    }
}
