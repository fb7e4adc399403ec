using System.Text.Json.Nodes;

namespace IpsecMesh.Simulator.Events;

/// <summary>
/// EventBridge's event patterns as far as the stack's rules use them: every field of the pattern must match; a list
/// matches when the event's value (or one of its values, for an array) equals one of its entries or satisfies a
/// <c>{"prefix": …}</c> entry; an object descends into the event's object.
/// </summary>
internal static class EventPattern
{
    public static bool Matches(JsonObject pattern, JsonObject? @event)
    {
        if (@event is null) return false;
        foreach (var (field, expected) in pattern)
        {
            var actual = @event[field];
            var ok = expected switch
            {
                JsonObject nested => Matches(nested, actual as JsonObject),
                JsonArray allowed => Values(actual).Any(value => allowed.Any(entry => Accepts(entry, value))),
                _ => false,
            };
            if (!ok) return false;
        }
        return true;
    }

    private static IEnumerable<string> Values(JsonNode? node) => node switch
    {
        JsonArray array => array.Select(v => v?.ToString() ?? "null"),
        null => [],
        _ => [node.ToString()],
    };

    private static bool Accepts(JsonNode? entry, string value) => entry switch
    {
        JsonObject { Count: 1 } rule when rule["prefix"] is JsonValue prefix => value.StartsWith(prefix.ToString(), StringComparison.Ordinal),
        JsonValue exact => exact.ToString() == value,
        _ => false,
    };
}
