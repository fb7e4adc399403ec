using System.Text.Json;

namespace IpsecMesh.Core.Cloud;

/// <summary>The batch key of a tag write: a canonical text form of its tag set, so that identical tag writes share one batch.</summary>
internal static class TagBatchKey
{
    public static string Encode(IReadOnlyDictionary<string, string> tags) =>
        JsonSerializer.Serialize(tags.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => new[] { t.Key, t.Value }));

    public static IReadOnlyList<KeyValuePair<string, string>> Decode(string key) =>
        JsonSerializer.Deserialize<string[][]>(key)!.Select(p => new KeyValuePair<string, string>(p[0], p[1])).ToList();
}
