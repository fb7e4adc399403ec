using System.Text.Encodings.Web;
using System.Text.Json;

namespace IpsecMesh.Cli;

/// <summary>Machine-readable output of the verbs (<c>--json</c>): one indented JSON document on standard output.</summary>
public static class JsonOutput
{
    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static void Write(object value) => Console.WriteLine(JsonSerializer.Serialize(value, Options));
}
