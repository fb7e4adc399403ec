using System.Text.Json;

namespace IpsecMesh.Core.Cloud;

/// <summary>A canonical text form of a tag set, so that identical tag writes share one batch.</summary>
internal static class TagGroup
{
    public static string Encode(IReadOnlyDictionary<string, string> tags) =>
        JsonSerializer.Serialize(tags.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => new[] { t.Key, t.Value }));

    public static IReadOnlyList<KeyValuePair<string, string>> Decode(string group) =>
        JsonSerializer.Deserialize<string[][]>(group)!.Select(p => new KeyValuePair<string, string>(p[0], p[1])).ToList();
}
