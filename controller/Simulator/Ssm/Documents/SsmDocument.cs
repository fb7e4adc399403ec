using System.Text.Json.Nodes;

namespace IpsecMesh.Simulator.Ssm;

/// <summary>One registered document: its versions (CreateDocument makes version 1) and which is the default.</summary>
internal sealed class SsmDocument(string name, string documentType, string? targetType)
{
    public string Name { get; } = name;
    public string DocumentType { get; } = documentType;
    public string? TargetType { get; } = targetType;
    public List<SsmDocumentVersion> Versions { get; } = [];
    public int DefaultVersion { get; set; } = 1;

    /// <summary>The version SendCommand, GetDocument or DescribeDocument asks for: $DEFAULT (or none), $LATEST, or a number.</summary>
    public SsmDocumentVersion? Version(string? version) => version switch
    {
        null or "" or "$DEFAULT" => Versions.FirstOrDefault(v => v.Number == DefaultVersion),
        "$LATEST" => Versions[^1],
        _ => int.TryParse(version, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number)
            ? Versions.FirstOrDefault(v => v.Number == number)
            : null,
    };
}

/// <summary>One version of a document: its content as stored, parsed, and its SHA-256 (SSM's document hash).</summary>
internal sealed record SsmDocumentVersion(int Number, string Content, JsonObject Parsed, string Hash, string DocumentFormat, DateTimeOffset CreatedAt);
