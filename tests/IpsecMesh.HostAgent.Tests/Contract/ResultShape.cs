using System.Text.Json;
using System.Text.Json.Nodes;
using IpsecMesh.HostAgent.Protocol;

namespace IpsecMesh.HostAgent.Tests.Contract;

/// <summary>
/// What the controller relies on in a result line: verb, ok, code and each field's name and JSON
/// type (recursively). Values such as versions and error sentences may differ between hosts.
/// A null matches any type: "not known on this host" is a legal answer for an optional figure.
/// </summary>
internal static class ResultShape
{
    public static IReadOnlyList<string> Differences(AgentResult real, AgentResult simulated)
    {
        var differences = new List<string>();
        if (real.Verb != simulated.Verb) differences.Add($"verb: real '{real.Verb}', simulated '{simulated.Verb}'");
        if (real.Ok != simulated.Ok) differences.Add($"{real.Verb}: ok: real {real.Ok}, simulated {simulated.Ok}");
        if (real.Code != simulated.Code) differences.Add($"{real.Verb}: code: real '{real.Code}', simulated '{simulated.Code}'");
        Compare(real.Verb, real.Fields, simulated.Fields, differences);
        return differences;
    }

    private static void Compare(string path, JsonObject real, JsonObject simulated, List<string> differences)
    {
        foreach (var name in real.Select(p => p.Key).Union(simulated.Select(p => p.Key)).Order(StringComparer.Ordinal))
        {
            var where = $"{path}.{name}";
            var inReal = real.TryGetPropertyValue(name, out var r);
            var inSimulated = simulated.TryGetPropertyValue(name, out var s);
            if (!inReal || !inSimulated)
            {
                differences.Add($"{where}: only the {(inReal ? "real script" : "virtual host")} reports it");
                continue;
            }
            if (r is null || s is null) continue;
            if (r is JsonObject ro && s is JsonObject so)
            {
                Compare(where, ro, so, differences);
                continue;
            }
            if (Kind(r) != Kind(s)) differences.Add($"{where}: real is {Kind(r)}, simulated is {Kind(s)}");
        }
    }

    private static JsonValueKind Kind(JsonNode node)
    {
        var kind = node.GetValueKind();
        return kind == JsonValueKind.False ? JsonValueKind.True : kind;
    }
}
