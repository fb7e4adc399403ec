using System.Text.Json;

namespace IpsecMesh.Deploy.Tests.Yaml;

/// <summary>Reads JSON into the same plain values as <see cref="CloudFormationYaml"/> (numbers and booleans as text).</summary>
public static class JsonValues
{
    public static object? Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return Convert(document.RootElement);
    }

    private static object? Convert(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => element.EnumerateObject().ToDictionary(p => p.Name, p => Convert(p.Value), StringComparer.Ordinal),
        JsonValueKind.Array => element.EnumerateArray().Select(Convert).ToList(),
        JsonValueKind.String => element.GetString(),
        JsonValueKind.Null => null,
        _ => element.GetRawText(),
    };
}
