using System.Text.Json;
using System.Text.Json.Nodes;

namespace IpsecMesh.HostAgent.Protocol;

/// <summary>One result line: the outcome of one verb on one host.</summary>
public sealed class AgentResult
{
    public const string LinePrefix = "{\"ipsecMesh\":1,";

    public required string Verb { get; init; }
    public required bool Ok { get; init; }
    public string? Code { get; init; }
    public string? Error { get; init; }
    /// <summary>The whole line, for verb-specific fields.</summary>
    public required JsonObject Fields { get; init; }

    public string? GetString(string name) => Fields[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    public long? GetInt64(string name) => Fields[name] is JsonValue v && v.TryGetValue<long>(out var n) ? n : null;

    public bool? GetBool(string name) => Fields[name] is JsonValue v && v.TryGetValue<bool>(out var b) ? b : null;

    public JsonObject? GetObject(string name) => Fields[name] as JsonObject;

    /// <summary>Writes a result line (used by virtual hosts; the real agent prints its own).</summary>
    public static string Format(string verb, bool ok, IEnumerable<KeyValuePair<string, JsonNode?>>? fields = null, string? code = null, string? error = null)
    {
        var line = new JsonObject { ["ipsecMesh"] = 1, ["verb"] = verb, ["ok"] = ok };
        if (!ok)
        {
            line["code"] = code ?? "internal";
            line["error"] = error ?? "failed";
        }
        foreach (var (key, value) in fields ?? []) line[key] = value?.DeepClone();
        return line.ToJsonString();
    }

    /// <summary>Every result line in a command's standard output, in order; other lines are ignored.</summary>
    public static IReadOnlyList<AgentResult> ParseAll(string? stdout)
    {
        var results = new List<AgentResult>();
        if (string.IsNullOrEmpty(stdout)) return results;
        foreach (var raw in stdout.Split('\n'))
        {
            var line = raw.Trim();
            if (!line.StartsWith(LinePrefix, StringComparison.Ordinal)) continue;
            JsonObject? obj;
            try { obj = JsonNode.Parse(line) as JsonObject; }
            catch (JsonException) { continue; }
            if (obj is null || obj["verb"] is not JsonValue verb || obj["ok"] is not JsonValue ok) continue;
            if (!verb.TryGetValue<string>(out var verbName) || !ok.TryGetValue<bool>(out var okValue)) continue;
            results.Add(new AgentResult
            {
                Verb = verbName,
                Ok = okValue,
                Code = obj["code"] is JsonValue c && c.TryGetValue<string>(out var code) ? code : null,
                Error = obj["error"] is JsonValue e && e.TryGetValue<string>(out var error) ? error : null,
                Fields = obj,
            });
        }
        return results;
    }
}
