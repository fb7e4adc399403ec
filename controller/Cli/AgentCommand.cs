using System.CommandLine;
using System.Text;
using IpsecMesh.HostAgent;
using IpsecMesh.HostAgent.Document;

namespace IpsecMesh.Cli;

/// <summary>
/// <c>ipsec-mesh agent document|script</c>: the host agent of this build as the SSM Command document its stack creates,
/// or the agent script itself.
/// </summary>
public static class AgentCommand
{
    public static Command Create()
    {
        var bucket = CliOptions.Text("--bucket", "BUCKET", "the stack's bucket (the download step fetches a request's input file from it)");
        var region = CliOptions.Text("--region", "REGION", "the bucket's region");
        var json = CliOptions.Json("one object: name, bytes (of the content; SSM allows 65,536), content");
        var outDirectory = CliOptions.Text("--out", "DIR", "write the content to DIR/<name>.json instead, for aws ssm create-document");
        var cloudFormation = CliOptions.Switch("--cloudformation", "the AgentDocument resource of deploy/ipsec-mesh.yaml (bucket and region as stack references)");
        var stack = CliOptions.Text("--stack", "FILE", "replace that resource in the stack template FILE (between its agent-document marker lines)");
        var document = new Command("document", $"""
            the host agent of this build as its SSM document.
            The controller runs the host agent only as the SSM Command document of its stack, named after
            this build's agent ({AgentDocument.Name}), and refuses to start when that document is
            missing or holds anything else. It never creates documents: the stack does (or you, with
            `aws ssm create-document --name <name> --document-type Command --document-format JSON
            --target-type {AgentDocument.TargetType} --content file://DIR/<name>.json`).
            Prints the document's name, then its content (JSON) for BUCKET in REGION (the download step
            fetches a request's input file from s3://BUCKET/{AgentDocument.InputsPrefix}<sha256>).
            The document carries the agent gzip-compressed and base64-encoded (SSM allows a document 64 KB).
            """) { bucket, region, json, outDirectory, cloudFormation, stack };
        document.Validators.Add(result =>
        {
            var given = new[] { bucket, region, outDirectory, stack }.Where(o => result.GetResult(o) is not null).Select(o => o.Name)
                .Concat(result.GetValue(cloudFormation) ? [cloudFormation.Name] : [])
                .Concat(result.GetValue(json) ? [json.Name] : []).ToList();
            if (given.Contains(cloudFormation.Name) || given.Contains(stack.Name))
            {
                if (given.Count > 1) result.AddError($"{string.Join(", ", given)}: --cloudformation and --stack FILE each go alone");
                return;
            }
            if (result.GetResult(bucket) is null) result.AddError("--bucket is required (the stack's bucket)");
            if (result.GetResult(region) is null) result.AddError("--region is required");
        });
        document.SetAction((parsed, cancellationToken) =>
            parsed.GetValue(cloudFormation) ? PrintResource()
            : parsed.GetValue(stack) is { } file ? SpliceAsync(file, cancellationToken)
            : DocumentAsync(parsed.GetRequiredValue(bucket)!, parsed.GetRequiredValue(region)!, parsed.GetValue(json), parsed.GetValue(outDirectory), cancellationToken));
        var script = new Command("script", "print the agent as the document runs it (to read, or to compare with the SHA-256 in the document's comment line)");
        script.SetAction(_ =>
        {
            Console.Write(AgentScript.Content);
            return 0;
        });
        return new Command("agent", "the host agent of this build as its SSM document (agent document | agent script)") { document, script };
    }

    private static Task<int> PrintResource()
    {
        Console.Write(AgentDocumentYaml.Resource(AgentScript.Content));
        return Task.FromResult(0);
    }

    /// <summary>Replaces the AgentDocument resource in the stack template <paramref name="stack"/> (in place, UTF-8 without BOM).</summary>
    /// <exception cref="CliException">The file does not exist or lacks the marker lines.</exception>
    public static async Task<int> SpliceAsync(string stack, CancellationToken cancellationToken)
    {
        var script = AgentScript.Content;
        if (!File.Exists(stack)) throw new CliException($"'{stack}' does not exist");
        var template = await File.ReadAllTextAsync(stack, cancellationToken);
        string spliced;
        try { spliced = AgentDocumentYaml.Splice(template, script); }
        catch (InvalidOperationException e) { throw new CliException(e.Message); }
        await File.WriteAllTextAsync(stack, spliced, new UTF8Encoding(false), cancellationToken);
        Console.WriteLine($"{stack}: AgentDocument is {AgentDocument.NameOf(script)}");
        return 0;
    }

    /// <summary>Prints the document (name, then content), or its JSON description, or writes it to DIR/&lt;name&gt;.json.</summary>
    public static async Task<int> DocumentAsync(string bucket, string region, bool json, string? outDirectory, CancellationToken cancellationToken)
    {
        var script = AgentScript.Content;
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
