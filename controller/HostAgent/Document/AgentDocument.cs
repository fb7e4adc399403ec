using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace IpsecMesh.HostAgent.Document;

/// <summary>
/// The agent as an SSM Command document (schema 2.2), which the stack creates and the controller
/// only runs. Two steps: <c>aws:downloadContent</c> fetches the request's input file from the
/// bucket's <c>hosts/inputs/&lt;sha256&gt;</c> (skipped when the request has none), then
/// <c>aws:runShellScript</c> runs the agent, whose last line passes the request (base64, in single
/// quotes) to <c>main</c>. Every parameter has an <c>allowedPattern</c> or <c>allowedValues</c>
/// whose alphabet has no quote, so even a compromised controller passes only data. The name carries
/// the first 12 hex digits of the SHA-256 of the document as built here with the stack's bucket,
/// region and URL suffix left as CloudFormation placeholders: a new agent (or a change of the
/// document around it) is a new document, which CloudFormation creates before it deletes the old.
/// </summary>
public static class AgentDocument
{
    public const string NamePrefix = "ipsec-mesh-agent-";
    public const string SchemaVersion = "2.2";
    public const string TargetType = "/AWS::EC2::Instance";

    public const string RequestParameter = "request";
    public const string InputsParameter = "inputs";
    public const string FetchInputsParameter = "fetchInputs";
    public const string ExecutionTimeoutParameter = "executionTimeout";

    /// <summary>The steps: the download of the input file, then the agent (its output is the command's).</summary>
    public const string DownloadStep = "inputs";
    public const string AgentStep = "agent";

    /// <summary>Where the download step puts the input file on the host, and where the agent looks for it by default.</summary>
    public const string InputsDirectory = "/var/lib/ipsec-mesh/inputs";

    /// <summary>The bucket prefix of the input files (content-addressed, immutable) and of nothing else.</summary>
    public const string InputsPrefix = "hosts/inputs/";

    public const string NoInputs = "none";

    /// <summary>SSM's limit for a document, and for a document with its parameters filled in.</summary>
    public const int MaxDocumentBytes = 65_536;

    /// <summary>
    /// The most base64 characters of a request the document accepts (its pattern's bound, before the
    /// padding; 1,000 is also the largest repetition RE2-style engines accept): 750 bytes of envelope,
    /// five times what verbs, scalars and the inputs line take.
    /// </summary>
    public const int RequestMaxChars = 1000;

    /// <summary>The range aws:runShellScript honours for timeoutSeconds (outside it the SSM agent silently uses 3600).</summary>
    public const int MinExecutionTimeoutSeconds = 5;
    public const int MaxExecutionTimeoutSeconds = 172_800;

    public const string RequestPattern = "^[A-Za-z0-9+/]{4,1000}={0,2}$";
    public const string InputsPattern = "^(none|[0-9a-f]{64})$";
    public const string ExecutionTimeoutPattern = "^([5-9]|[1-9][0-9]{1,4}|1[0-6][0-9]{4}|17[01][0-9]{3}|172[0-7][0-9]{2}|172800)$";

    /// <summary>The S3 location of the input file, as CloudFormation writes it (Fn::Sub): the stack's region, URL suffix and bucket.</summary>
    public const string SourceInfoTemplate = "{\"path\":\"https://s3.${AWS::Region}.${AWS::URLSuffix}/${Bucket}/" + InputsPrefix + "{{ " + InputsParameter + " }}\"}";

    private const string MainCall = "main \"$@\"";
    private const string MainWithRequest = "main '{{ " + RequestParameter + " }}'";

    private static readonly Lazy<string> ThisName = new(() => NameOf(AgentScript.Content));

    /// <summary>The document name of the agent embedded in this build.</summary>
    public static string Name => ThisName.Value;

    /// <summary>
    /// The name of the document that carries <paramref name="script"/>: from the document with the agent as plain
    /// lines (not compressed), so the name depends on the agent and the document around it, not on a compressor.
    /// </summary>
    public static string NameOf(string script) =>
        NamePrefix + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(ToJson(Build(script, null, PlainLines(script))))))[..12];

    /// <summary>
    /// The document's content for the stack's bucket and region (<paramref name="location"/>), or, when
    /// it is null, with CloudFormation's placeholders (what the name is computed from).
    /// </summary>
    public static JsonObject Build(string script, InputsLocation? location) => Build(script, location, RunCommand(script));

    private static JsonObject Build(string script, InputsLocation? location, IReadOnlyList<string> runCommand) => new()
    {
        ["schemaVersion"] = SchemaVersion,
        ["description"] = "ipsec-mesh host agent (docs/host-agent-protocol.md): runs one request of the controller on an enrolled instance.",
        ["parameters"] = new JsonObject
        {
            [RequestParameter] = new JsonObject
            {
                ["type"] = "String",
                ["description"] = "The request envelope (protocol, verbs, parameters, the input file's SHA-256), base64.",
                ["allowedPattern"] = RequestPattern,
            },
            [InputsParameter] = new JsonObject
            {
                ["type"] = "String",
                ["description"] = "SHA-256 of the request's input file under " + InputsPrefix + " of the bucket, or none.",
                ["default"] = NoInputs,
                ["allowedPattern"] = InputsPattern,
            },
            [FetchInputsParameter] = new JsonObject
            {
                ["type"] = "String",
                ["description"] = "yes when the request has an input file to download.",
                ["default"] = "no",
                ["allowedValues"] = new JsonArray("yes", "no"),
            },
            [ExecutionTimeoutParameter] = new JsonObject
            {
                ["type"] = "String",
                ["description"] = "Seconds the agent may run (5 to 172800).",
                ["default"] = "3600",
                ["allowedPattern"] = ExecutionTimeoutPattern,
            },
        },
        ["mainSteps"] = new JsonArray
        {
            new JsonObject
            {
                ["action"] = "aws:downloadContent",
                ["name"] = DownloadStep,
                ["precondition"] = new JsonObject { ["StringEquals"] = new JsonArray("{{ " + FetchInputsParameter + " }}", "yes") },
                ["inputs"] = new JsonObject
                {
                    ["sourceType"] = "S3",
                    ["sourceInfo"] = location is null ? SourceInfoTemplate : location.SourceInfo(),
                    ["destinationPath"] = InputsDirectory + "/{{ " + InputsParameter + " }}",
                },
            },
            new JsonObject
            {
                ["action"] = "aws:runShellScript",
                ["name"] = AgentStep,
                ["inputs"] = new JsonObject
                {
                    ["timeoutSeconds"] = "{{ " + ExecutionTimeoutParameter + " }}",
                    ["runCommand"] = new JsonArray([.. runCommand.Select(line => (JsonNode?)line)]),
                },
            },
        },
    };

    /// <summary>The heredoc delimiter around the compressed agent: '_' is not in the base64 alphabet, so no line of it can end the heredoc.</summary>
    private const string CompressedDelimiter = "IPSEC_MESH_AGENT_GZIP";

    /// <summary>
    /// The agent step's lines: the built agent, gzip-compressed and base64-encoded in a heredoc (the agent as plain
    /// lines is 77 kB, over SSM's 64 KB for a document; compressed, about 28 kB), which bash decodes and evaluates,
    /// then <c>main</c> with the request parameter. The plain agent is what <c>ipsec-mesh agent script</c> prints and
    /// what the document's name is computed from (<see cref="NameOf"/>).
    /// </summary>
    /// <exception cref="InvalidOperationException">The built agent does not end with <c>main "$@"</c>, or holds <c>{{</c>.</exception>
    public static IReadOnlyList<string> RunCommand(string script)
    {
        var body = AgentBody(script);
        var packed = new MemoryStream();
        using (var gzip = new System.IO.Compression.GZipStream(packed, System.IO.Compression.CompressionLevel.SmallestSize, leaveOpen: true))
            gzip.Write(Encoding.UTF8.GetBytes(body));
        var base64 = Convert.ToBase64String(packed.ToArray());
        var lines = new List<string>
        {
            "#!/usr/bin/env bash",
            $"# ipsec-mesh host agent (docs/host-agent.md), gzip and base64; `ipsec-mesh agent script` prints it, SHA-256 {Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(script)))}.",
            "set -euo pipefail",
            $"ipsec_mesh_agent=$(base64 -d <<'{CompressedDelimiter}' | gzip -dc",
        };
        for (var i = 0; i < base64.Length; i += 76) lines.Add(base64.Substring(i, Math.Min(76, base64.Length - i)));
        lines.Add(CompressedDelimiter);
        lines.Add(")");
        lines.Add("eval \"$ipsec_mesh_agent\"");
        lines.Add(MainWithRequest);
        return lines;
    }

    /// <summary>The agent step as plain lines: the built agent, its last line calling main with the request parameter.</summary>
    private static IReadOnlyList<string> PlainLines(string script) => [.. AgentBody(script).Split('\n'), MainWithRequest];

    /// <summary>The built agent without its last line (<c>main "$@"</c>), checked.</summary>
    private static string AgentBody(string script)
    {
        var lines = script.TrimEnd('\n').Split('\n');
        if (lines[^1] != MainCall) throw new InvalidOperationException($"the built agent must end with {MainCall}");
        if (script.Contains("{{", StringComparison.Ordinal))
            throw new InvalidOperationException("the built agent must not contain '{{': SSM would read it as a document parameter");
        return string.Join('\n', lines[..^1]);
    }

    /// <summary>The SendCommand parameters of one request: only the envelope and how to find its input file.</summary>
    public static Dictionary<string, List<string>> Parameters(Protocol.AgentPayload payload, int executionTimeoutSeconds)
    {
        var request = Convert.ToBase64String(Encoding.ASCII.GetBytes(payload.Envelope));
        if (request.TrimEnd('=').Length > RequestMaxChars)
            throw new Protocol.AgentProtocolException($"the request envelope is {payload.Envelope.Length} bytes, more than the document's parameter takes");
        if (executionTimeoutSeconds is < MinExecutionTimeoutSeconds or > MaxExecutionTimeoutSeconds)
            throw new ArgumentOutOfRangeException(nameof(executionTimeoutSeconds), executionTimeoutSeconds, $"aws:runShellScript takes {MinExecutionTimeoutSeconds} to {MaxExecutionTimeoutSeconds} seconds");
        return new(StringComparer.Ordinal)
        {
            [RequestParameter] = [request],
            [InputsParameter] = [payload.Inputs?.Sha256 ?? NoInputs],
            [FetchInputsParameter] = [payload.Inputs is null ? "no" : "yes"],
            [ExecutionTimeoutParameter] = [executionTimeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)],
        };
    }

    private static readonly JsonSerializerOptions Compact = new() { WriteIndented = false, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// The content as SSM stores it: compact JSON, escaping only what JSON requires (quotes, backslashes,
    /// control characters; not the agent's many quotes and + signs), whose bytes count against the 64 KB.
    /// </summary>
    public static string ToJson(JsonObject document) => document.ToJsonString(Compact);

    /// <summary>The object key of an input file.</summary>
    public static string InputsKey(string sha256) => InputsPrefix + sha256;
}
