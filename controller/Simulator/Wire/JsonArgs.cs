using System.Text.Json.Nodes;

namespace IpsecMesh.Simulator.Wire;

/// <summary>Typed reads of a JSON request body; missing required members are ValidationExceptions.</summary>
internal sealed class JsonArgs(JsonObject body)
{
    public JsonObject Body => body;

    public string? String(string name) => body[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    public string RequiredString(string name) =>
        String(name) is { Length: > 0 } s ? s : throw Validation($"{name} is required");

    public int? Int(string name) => body[name] is JsonValue v && v.TryGetValue<int>(out var i) ? i : null;

    public bool? Bool(string name) => body[name] is JsonValue v && v.TryGetValue<bool>(out var b) ? b : null;

    public byte[]? Blob(string name)
    {
        var text = String(name);
        if (text is null) return null;
        try { return Convert.FromBase64String(text); }
        catch (FormatException) { throw Validation($"{name} is not base64"); }
    }

    public byte[] RequiredBlob(string name) => Blob(name) ?? throw Validation($"{name} is required");

    public IReadOnlyList<string> Strings(string name) =>
        body[name] is JsonArray a ? a.Select(n => n?.GetValue<string>() ?? "").ToArray() : [];

    public IReadOnlyDictionary<string, string>? StringMap(string name) =>
        body[name] is JsonObject o ? o.ToDictionary(p => p.Key, p => p.Value?.GetValue<string>() ?? "", StringComparer.Ordinal) : null;

    public JsonArray Array(string name) => body[name] as JsonArray ?? [];

    public static AwsServiceException Validation(string message) => new(400, "ValidationException", message);
}
