using System.Text;
using IpsecMesh.HostAgent;
using IpsecMesh.HostAgent.Document;

namespace IpsecMesh.Cli;

/// <summary><c>ipsec-mesh agent document</c>: the host agent of this build as the SSM Command document its stack creates.</summary>
public sealed class AgentVerb : ICliVerb
{
    public string Name => "agent";
    public string Summary => "the host agent of this build as its SSM document (agent document)";
    public string Usage => $"""
        usage: ipsec-mesh agent document --bucket BUCKET --region REGION [--json | --out DIR]
               ipsec-mesh agent document --cloudformation | --stack FILE
               ipsec-mesh agent script

        The controller runs the host agent only as the SSM Command document of its stack, named after
        this build's agent ({AgentDocument.Name}), and refuses to start when that document is
        missing or holds anything else. It never creates documents: the stack does (or you, with
        `aws ssm create-document`).

        Prints the document's name, then its content (JSON) for BUCKET in REGION (the download step
        fetches a request's input file from s3://BUCKET/{AgentDocument.InputsPrefix}<sha256>).
          --json            one object: name, bytes (of the content; SSM allows 65,536), content
          --out DIR         writes the content to DIR/<name>.json instead, for
                            aws ssm create-document --name <name> --document-type Command \
                              --document-format JSON --target-type {AgentDocument.TargetType} --content file://DIR/<name>.json
          --cloudformation  the AgentDocument resource of deploy/ipsec-mesh.yaml (bucket and region as stack references)
          --stack FILE      replaces that resource in the stack template FILE (between its agent-document marker lines)

        The document carries the agent gzip-compressed and base64-encoded (SSM allows a document 64 KB);
        `agent script` prints the agent as the document runs it, to read or to compare with the SHA-256
        in the document's comment line.
        """;
    public IReadOnlySet<string> Switches { get; } = new HashSet<string> { "json", "cloudformation" };

    public async Task<int> RunAsync(CliArgs args, CancellationToken cancellationToken)
    {
        var script = AgentScript.Content;
        if (args.Positionals is ["script"])
        {
            args.EnsureAllUsed();
            Console.Write(script);
            return 0;
        }
        if (args.Positionals is not ["document"]) throw new CliException("expected 'agent document' or 'agent script'");
        if (args.Has("cloudformation"))
        {
            args.EnsureAllUsed();
            Console.Write(AgentDocumentYaml.Resource(script));
            return 0;
        }
        if (args.Get("stack") is { } stack)
        {
            args.EnsureAllUsed();
            if (!File.Exists(stack)) throw new CliException($"'{stack}' does not exist");
            var template = await File.ReadAllTextAsync(stack, cancellationToken);
            string spliced;
            try { spliced = AgentDocumentYaml.Splice(template, script); }
            catch (InvalidOperationException e) { throw new CliException(e.Message); }
            await File.WriteAllTextAsync(stack, spliced, new UTF8Encoding(false), cancellationToken);
            Console.WriteLine($"{stack}: AgentDocument is {AgentDocument.NameOf(script)}");
            return 0;
        }
        var bucket = args.Get("bucket") ?? throw new CliException("--bucket is required (the stack's bucket)");
        var region = args.Get("region") ?? throw new CliException("--region is required");
        var json = args.Has("json");
        var outDirectory = args.Get("out");
        args.EnsureAllUsed();
        var content = AgentDocument.ToJson(AgentDocument.Build(script, new InputsLocation(bucket, region)));
        var name = AgentDocument.NameOf(script);
        if (outDirectory is not null)
        {
            Directory.CreateDirectory(outDirectory);
            var path = Path.Combine(outDirectory, name + ".json");
            await File.WriteAllTextAsync(path, content, new UTF8Encoding(false), cancellationToken);
            Console.WriteLine(path);
        }
        else if (json)
        {
            JsonOutput.Write(new { name, bytes = Encoding.UTF8.GetByteCount(content), content = System.Text.Json.JsonDocument.Parse(content).RootElement });
        }
        else
        {
            Console.WriteLine(name);
            Console.WriteLine(content);
        }
        return 0;
    }
}
