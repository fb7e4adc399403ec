using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace IpsecMesh.Simulator;

/// <summary>
/// A Command document with its parameters filled in, as SSM hands it to the agent: every
/// <c>{{ name }}</c> in the steps (inputs and preconditions) replaced by the parameter's value, as
/// text (a string that is exactly one StringList reference becomes that list).
/// </summary>
public static partial class DocumentRendering
{
    public static JsonObject Render(JsonObject document, IReadOnlyDictionary<string, JsonNode> values)
    {
        var rendered = (JsonObject)document.DeepClone();
        if (rendered["mainSteps"] is JsonArray steps)
            for (var i = 0; i < steps.Count; i++) steps[i] = Fill(steps[i], values);
        return rendered;
    }

    /// <summary>The parameter names a document's steps refer to.</summary>
    public static IEnumerable<string> References(JsonObject document) =>
        Strings(document["mainSteps"]).SelectMany(s => Reference().Matches(s).Select(m => m.Groups[1].Value)).Distinct(StringComparer.Ordinal);

    private static JsonNode? Fill(JsonNode? node, IReadOnlyDictionary<string, JsonNode> values) => node switch
    {
        JsonObject o => new JsonObject(o.Select(p => KeyValuePair.Create(p.Key, Fill(p.Value, values)))),
        JsonArray a => new JsonArray([.. a.Select(n => Fill(n, values))]),
        JsonValue v when v.TryGetValue<string>(out var text) => FillText(text, values),
        _ => node?.DeepClone(),
    };

    private static JsonNode FillText(string text, IReadOnlyDictionary<string, JsonNode> values)
    {
        var whole = Reference().Match(text);
        if (whole.Success && whole.Length == text.Length && values.TryGetValue(whole.Groups[1].Value, out var list) && list is JsonArray)
            return list.DeepClone();
        return JsonValue.Create(Reference().Replace(text, m =>
            values.TryGetValue(m.Groups[1].Value, out var value) ? DocumentParameters.Text(value) ?? "" : m.Value))!;
    }

    private static IEnumerable<string> Strings(JsonNode? node) => node switch
    {
        JsonObject o => o.SelectMany(p => Strings(p.Value)),
        JsonArray a => a.SelectMany(Strings),
        JsonValue v when v.TryGetValue<string>(out var text) => [text],
        _ => [],
    };

    [GeneratedRegex(@"\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}")]
    private static partial Regex Reference();
}
