using System.Text.Json.Nodes;

namespace IpsecMesh.Simulator.Hosts;

/// <summary>One verb's outcome inside a virtual host, before it becomes a result line.</summary>
internal sealed record VerbResult(bool Ok, IReadOnlyDictionary<string, JsonNode?> Fields, string? Code = null, string? Error = null)
{
    public static VerbResult Success(IReadOnlyDictionary<string, JsonNode?>? fields = null) => new(true, fields ?? new Dictionary<string, JsonNode?>());

    public static VerbResult Failure(string code, string error) => new(false, new Dictionary<string, JsonNode?>(), code, error);
}
