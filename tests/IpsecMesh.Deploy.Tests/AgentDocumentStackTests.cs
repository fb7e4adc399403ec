using System.Text;
using System.Text.Json.Nodes;
using IpsecMesh.Deploy.Tests.Yaml;
using IpsecMesh.HostAgent;
using IpsecMesh.HostAgent.Document;

namespace IpsecMesh.Deploy.Tests;

/// <summary>
/// The stack creates the agent document of this build: the same name, the same content (the agent,
/// its parameters and their patterns, the download from the stack's own bucket), written by the
/// generator; and it fits SSM's 64 KB with the largest parameters the document accepts.
/// </summary>
public class AgentDocumentStackTests
{
    private const string Regenerate = "regenerate it: dotnet run --project controller -- agent document --stack deploy/ipsec-mesh.yaml";

    private static readonly Template Stack = Template.Load(RepositoryFiles.Stack);

    /// <summary>The template's values as JSON, each Fn::Sub as its template string (what the name is computed over).</summary>
    private static JsonNode? Json(object? value) => value switch
    {
        IReadOnlyDictionary<string, object?> map when map.Count == 1 && map.TryGetValue("Fn::Sub", out var sub) && sub is string template => JsonValue.Create(template),
        IReadOnlyDictionary<string, object?> map => new JsonObject(map.Select(p => KeyValuePair.Create(p.Key, Json(p.Value)))),
        IReadOnlyList<object?> list => new JsonArray([.. list.Select(Json)]),
        string text => JsonValue.Create(text),
        null => null,
        _ => JsonValue.Create(value.ToString()),
    };

    [Fact]
    public void The_stack_creates_the_agent_document_this_build_runs()
    {
        var document = Stack.Resource("AgentDocument");

        Assert.Equal("AWS::SSM::Document", document.Type);
        Assert.True(AgentDocument.Name == Node.Text(document.Property("Name")), $"the stack names {Node.Text(document.Property("Name"))}, this build {AgentDocument.Name}: {Regenerate}");
        Assert.Equal("Command", Node.Text(document.Property("DocumentType")));
        Assert.Equal("JSON", Node.Text(document.Property("DocumentFormat")));
        Assert.Equal(AgentDocument.TargetType, Node.Text(document.Property("TargetType")));
        var difference = DocumentComparison.FirstDifference(AgentDocument.Build(AgentScript.Content, null), Json(document.Property("Content")));
        Assert.True(difference is null, $"the stack's agent document differs from this build's at {difference}: {Regenerate}");
    }

    [Fact]
    public void The_document_block_is_exactly_what_the_generator_writes()
    {
        var template = File.ReadAllText(RepositoryFiles.Stack);

        AssertSameText(AgentDocumentYaml.Splice(template, AgentScript.Content), template);
    }

    [Fact]
    public void The_document_downloads_from_the_stacks_own_bucket_in_its_own_region()
    {
        var download = Node.List(Node.Get(Stack.Resource("AgentDocument").Property("Content"), "mainSteps"))[0];
        var sourceInfo = Node.Map(Node.Get(Node.Get(download, "inputs"), "sourceInfo"));

        Assert.Equal("aws:downloadContent", Node.Text(Node.Get(download, "action")));
        Assert.Equal(AgentDocument.SourceInfoTemplate, Node.Text(sourceInfo["Fn::Sub"]));
        Assert.Contains("/${Bucket}/hosts/inputs/{{ inputs }}", AgentDocument.SourceInfoTemplate, StringComparison.Ordinal);
        Assert.Contains("Bucket", Stack.Resources.Keys);
    }

    [Fact]
    public void The_document_and_its_largest_parameters_fit_SSMs_64_KB()
    {
        // The longest bucket name S3 allows, in the region with the longest name, and every parameter at its pattern's limit.
        var document = AgentDocument.Build(AgentScript.Content, new InputsLocation(new string('b', 63), "ap-southeast-5"));
        var largest = new Dictionary<string, string>
        {
            [AgentDocument.RequestParameter] = new string('A', AgentDocument.RequestMaxChars) + "==",
            [AgentDocument.InputsParameter] = new string('f', 64),
            [AgentDocument.ExecutionTimeoutParameter] = "172800",
        };
        var rendered = AgentDocument.ToJson(document);
        foreach (var (name, value) in largest) rendered = rendered.Replace("{{ " + name + " }}", value, StringComparison.Ordinal);
        var bytes = Encoding.UTF8.GetByteCount(rendered);

        Assert.True(bytes <= AgentDocument.MaxDocumentBytes,
            $"the agent document with its largest parameters is {bytes} bytes, over SSM's {AgentDocument.MaxDocumentBytes}: shrink the agent, or carry it compressed");
    }

    private static void AssertSameText(string expected, string actual)
    {
        if (expected == actual) return;
        var left = expected.Split('\n');
        var right = actual.Split('\n');
        var line = 0;
        while (line < left.Length && line < right.Length && left[line] == right[line]) line++;
        Assert.Fail($"deploy/ipsec-mesh.yaml line {line + 1} is not what the generator writes ({Regenerate})\nexpected: {(line < left.Length ? left[line] : "<end>")}\nactual:   {(line < right.Length ? right[line] : "<end>")}");
    }
}
