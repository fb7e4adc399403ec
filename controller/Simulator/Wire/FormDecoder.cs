using System.Net;

namespace IpsecMesh.Simulator.Wire;

/// <summary>Decodes application/x-www-form-urlencoded text (the EC2 query protocol and URL query strings).</summary>
internal static class FormDecoder
{
    public static IReadOnlyDictionary<string, string> Decode(string text)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in text.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            var key = eq < 0 ? pair : pair[..eq];
            var value = eq < 0 ? "" : pair[(eq + 1)..];
            result[Unescape(key)] = Unescape(value);
        }
        return result;
    }

    private static string Unescape(string s) => WebUtility.UrlDecode(s);
}
