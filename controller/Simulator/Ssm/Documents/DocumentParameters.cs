using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace IpsecMesh.Simulator;

/// <summary>
/// The parameters of one run of a Command document, checked as SSM checks them at SendCommand: every
/// given name defined by the document, every parameter without a default given, one value per String
/// parameter, each value inside its <c>allowedValues</c> and matching its <c>allowedPattern</c>.
/// A violation is <c>InvalidParameters</c> (400), the whole call refused.
/// </summary>
public static class DocumentParameters
{
    private static readonly TimeSpan PatternTimeout = TimeSpan.FromSeconds(1);

    /// <summary>The value of every parameter of the document: the given one, else its default.</summary>
    public static IReadOnlyDictionary<string, JsonNode> Resolve(JsonObject document, IReadOnlyDictionary<string, IReadOnlyList<string>> given)
    {
        var definitions = document["parameters"] as JsonObject ?? [];
        var unknown = given.Keys.Where(name => !definitions.ContainsKey(name)).Order(StringComparer.Ordinal).ToList();
        if (unknown.Count > 0) throw Invalid($"Parameters [{string.Join(", ", unknown)}] are not defined in the document.");
        var resolved = new Dictionary<string, JsonNode>(StringComparer.Ordinal);
        foreach (var (name, node) in definitions)
        {
            var definition = node as JsonObject ?? [];
            var type = Text(definition["type"]) ?? "String";
            if (given.TryGetValue(name, out var values))
            {
                if (type == "StringList")
                {
                    foreach (var value in values) Check(name, definition, value);
                    resolved[name] = new JsonArray([.. values.Select(v => (JsonNode?)v)]);
                    continue;
                }
                if (values.Count != 1) throw Invalid($"Parameter {name} takes one value, not {values.Count}.");
                Check(name, definition, values[0]);
                resolved[name] = JsonValue.Create(values[0]);
            }
            else if (definition["default"] is { } fallback)
            {
                resolved[name] = fallback.DeepClone();
            }
            else
            {
                throw Invalid($"Parameter {name} is required.");
            }
        }
        return resolved;
    }

    private static void Check(string name, JsonObject definition, string value)
    {
        if (definition["allowedValues"] is JsonArray allowed && !allowed.Any(a => Text(a) == value))
            throw Invalid($"Parameter {name} is not one of the allowed values.");
        if (Text(definition["allowedPattern"]) is { } pattern)
        {
            bool matches;
            try { matches = Regex.IsMatch(value, pattern, RegexOptions.CultureInvariant, PatternTimeout); }
            catch (RegexMatchTimeoutException) { matches = false; }
            if (!matches) throw Invalid($"Parameter {name} does not match the allowed pattern {pattern}.");
        }
    }

    internal static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : node?.ToJsonString();

    private static AwsServiceException Invalid(string message) => new(400, "InvalidParameters", message);
}
