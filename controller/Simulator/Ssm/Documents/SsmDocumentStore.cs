using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace IpsecMesh.Simulator.Ssm;

/// <summary>
/// The account's own SSM documents (AWS-owned ones such as AWS-RunShellScript are not modelled):
/// CreateDocument checks the content as SSM does where it matters here (64 KB, JSON, schema 2.2 with
/// named steps, parameters of a known type, no reference to an undefined parameter).
/// </summary>
internal sealed partial class SsmDocumentStore(TimeProvider time, string region, string accountId)
{
    public const int MaxContentBytes = 65_536;
    private static readonly HashSet<string> ParameterTypes = new(StringComparer.Ordinal) { "String", "StringList", "Boolean", "Integer", "MapList", "StringMap" };
    private readonly Lock _sync = new();
    private readonly Dictionary<string, SsmDocument> _documents = new(StringComparer.Ordinal);

    public SsmDocumentVersion Create(string name, string content, string documentType, string documentFormat, string? targetType)
    {
        if (!DocumentName().IsMatch(name) || name.StartsWith("AWS-", StringComparison.OrdinalIgnoreCase) || name.StartsWith("aws", StringComparison.OrdinalIgnoreCase))
            throw new AwsServiceException(400, "ValidationException", $"'{name}' is not a valid document name of this account");
        if (Encoding.UTF8.GetByteCount(content) > MaxContentBytes)
            throw new AwsServiceException(400, "MaxDocumentSizeExceeded", "The size limit of a document is 64 KB.");
        if (documentFormat != "JSON")
            throw new AwsServiceException(400, "InvalidDocumentContent", "the simulator reads JSON documents only");
        if (documentType != "Command")
            throw new AwsServiceException(400, "InvalidDocumentContent", "the simulator models Command documents only");
        var parsed = Parse(content);
        lock (_sync)
        {
            if (_documents.ContainsKey(name)) throw new AwsServiceException(400, "DocumentAlreadyExists", "The specified document already exists.");
            var document = new SsmDocument(name, documentType, targetType);
            var version = new SsmDocumentVersion(1, content, parsed, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(content))), documentFormat, time.GetUtcNow());
            document.Versions.Add(version);
            _documents[name] = document;
            return version;
        }
    }

    /// <summary>The document by its name or ARN (arn:…:ssm:region:account:document/NAME), else InvalidDocument.</summary>
    public SsmDocument Get(string nameOrArn)
    {
        var prefix = $":ssm:{region}:{accountId}:document/";
        var name = nameOrArn.StartsWith("arn:", StringComparison.Ordinal) && nameOrArn.Contains(prefix, StringComparison.Ordinal)
            ? nameOrArn[(nameOrArn.IndexOf(prefix, StringComparison.Ordinal) + prefix.Length)..]
            : nameOrArn;
        lock (_sync)
            return _documents.GetValueOrDefault(name) ?? throw new AwsServiceException(400, "InvalidDocument", "The specified document does not exist.");
    }

    public static SsmDocumentVersion Version(SsmDocument document, string? version) =>
        document.Version(version) ?? throw new AwsServiceException(400, "InvalidDocumentVersion", "The document version is not valid or does not exist.");

    public void Delete(string name)
    {
        lock (_sync)
            if (!_documents.Remove(name)) throw new AwsServiceException(400, "InvalidDocument", "The specified document does not exist.");
    }

    private static JsonObject Parse(string content)
    {
        JsonObject document;
        try
        {
            document = JsonNode.Parse(content) as JsonObject ?? throw Invalid("the content is not a JSON object");
        }
        catch (JsonException)
        {
            throw Invalid("the content is not valid JSON");
        }
        if (DocumentParameters.Text(document["schemaVersion"]) != "2.2") throw Invalid("the simulator models schemaVersion 2.2 only");
        if (document["mainSteps"] is not JsonArray { Count: > 0 } steps) throw Invalid("mainSteps is required");
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var step in steps)
        {
            if (step is not JsonObject s || DocumentParameters.Text(s["action"]) is not { Length: > 0 } || DocumentParameters.Text(s["name"]) is not { Length: > 0 } name)
                throw Invalid("every step needs an action and a name");
            if (!names.Add(name)) throw Invalid($"step name {name} is not unique");
        }
        var parameters = document["parameters"] as JsonObject ?? [];
        foreach (var (name, definition) in parameters)
            if (definition is not JsonObject d || !ParameterTypes.Contains(DocumentParameters.Text(d["type"]) ?? ""))
                throw Invalid($"parameter {name} has no valid type");
        foreach (var reference in DocumentRendering.References(document))
            if (!parameters.ContainsKey(reference)) throw Invalid($"the document refers to an undefined parameter {reference}");
        return document;
    }

    private static AwsServiceException Invalid(string message) => new(400, "InvalidDocumentContent", message);

    [GeneratedRegex("^[a-zA-Z0-9_\\-.]{3,128}$")]
    private static partial Regex DocumentName();
}
