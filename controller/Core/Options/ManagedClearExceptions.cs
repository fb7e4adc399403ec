using System.Net;
using IpsecMesh.HostAgent.Policy;

namespace IpsecMesh.Core.Options;

/// <summary>The pinned exceptions of the generated clear group (setting <c>ManagedClearExceptions</c>): interface ids and CIDRs.</summary>
public sealed record ManagedClearExceptions(IReadOnlySet<string> InterfaceIds, IReadOnlyList<IPNetwork> Networks)
{
    public static readonly ManagedClearExceptions None = new(new HashSet<string>(StringComparer.Ordinal), []);

    /// <summary>True when the interface or the address is pinned.</summary>
    public bool Excludes(string interfaceId, IPAddress address) =>
        InterfaceIds.Contains(interfaceId) || Networks.Any(n => n.Contains(address));

    /// <summary>
    /// Parses "eni-0abc…, 10.0.3.0/24, 2600:1f18::/56": null on success, else one message naming the item and what was expected.
    /// </summary>
    public static string? TryParse(string? text, out ManagedClearExceptions parsed)
    {
        parsed = None;
        if (string.IsNullOrWhiteSpace(text)) return null;
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var networks = new List<IPNetwork>();
        var items = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        for (var i = 0; i < items.Length; i++)
        {
            var item = items[i];
            if (item.StartsWith("eni-", StringComparison.Ordinal))
            {
                if (item.Length is not (12 or 21) || !item[4..].All(char.IsAsciiHexDigitLower))
                    return $"item {i + 1} '{Shorten(item)}' is not an interface id (expected 'eni-' and 8 or 17 lower-case hexadecimal digits)";
                ids.Add(item);
                continue;
            }
            if (CidrParser.TryParse(item, out var error) is not { } network)
                return $"item {i + 1}: {error} (expected an interface id eni-… or a CIDR)";
            networks.Add(network);
        }
        parsed = new ManagedClearExceptions(ids, networks);
        return null;
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
