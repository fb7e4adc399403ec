using System.Text.Json.Nodes;

namespace IpsecMesh.HostAgent.Document;

/// <summary>
/// Compares a document as SSM returns it with the one this build expects, structurally (key order
/// and formatting aside; a number and the same number as a string are equal, since CloudFormation
/// may write either), and names the first difference.
/// </summary>
public static class DocumentComparison
{
    /// <returns>Null when equal, else the JSON path of the first difference and what differs there.</returns>
    public static string? FirstDifference(JsonNode? expected, JsonNode? actual, string path = "$")
    {
        switch (expected)
        {
            case JsonObject expectedObject:
                if (actual is not JsonObject actualObject) return $"{path}: expected an object";
                foreach (var (key, value) in expectedObject)
                {
                    if (!actualObject.ContainsKey(key)) return $"{path}.{key}: missing";
                    if (FirstDifference(value, actualObject[key], $"{path}.{key}") is { } difference) return difference;
                }
                var extra = actualObject.Select(p => p.Key).FirstOrDefault(k => !expectedObject.ContainsKey(k));
                return extra is null ? null : $"{path}.{extra}: not in this build's document";
            case JsonArray expectedArray:
                if (actual is not JsonArray actualArray) return $"{path}: expected an array";
                for (var i = 0; i < Math.Min(expectedArray.Count, actualArray.Count); i++)
                    if (FirstDifference(expectedArray[i], actualArray[i], $"{path}[{i}]") is { } difference) return difference;
                return expectedArray.Count == actualArray.Count ? null : $"{path}: {actualArray.Count} items, this build has {expectedArray.Count}";
            case null:
                return actual is null ? null : $"{path}: expected null";
            default:
                return actual is JsonValue && Scalar(expected) == Scalar(actual) ? null : $"{path}: differs";
        }
    }

    private static string Scalar(JsonNode node) =>
        node is JsonValue value && value.TryGetValue<string>(out var text) ? text : node.ToJsonString();
}
