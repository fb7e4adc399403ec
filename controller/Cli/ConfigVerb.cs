using IpsecMesh.HostAgent.Policy;

namespace IpsecMesh.Cli;

/// <summary><c>ipsec-mesh config validate [DIR]</c>: checks a mesh policy directory the way the controller does before a rollout.</summary>
public sealed class ConfigVerb : ICliVerb
{
    public string Name => "config";
    public string Summary => "validate a mesh policy directory (config validate [DIR])";
    public string Usage => """
        usage: ipsec-mesh config validate [DIR] [--json]

        Validates the mesh policy in DIR (default: the embedded default policy): the policy group files
        private, clear, private-or-clear, clear-or-private, block and the conn template. Every error is
        named with its file and line. Exit 0 when valid, 1 when not. The controller applies the same
        checks to s3://BUCKET/config/ and keeps the last good policy when they fail.
        """;
    public IReadOnlySet<string> Switches { get; } = new HashSet<string> { "json" };

    public Task<int> RunAsync(CliArgs args, CancellationToken cancellationToken)
    {
        if (args.Positionals.Count == 0 || args.Positionals[0] != "validate") throw new CliException("expected 'config validate [DIR]'");
        if (args.Positionals.Count > 2) throw new CliException("config validate takes at most one directory");
        var json = args.Has("json");
        args.EnsureAllUsed();
        var directory = args.Positionals.Count == 2 ? args.Positionals[1] : null;
        if (directory is not null && !Directory.Exists(directory)) throw new CliException($"'{directory}' is not a directory");
        var result = directory is null ? new PolicyLoadResult(MeshPolicy.Default, []) : MeshPolicy.LoadDirectory(directory);
        var valid = result.Policy is not null && result.Errors.Count == 0;
        if (json)
        {
            JsonOutput.Write(new
            {
                source = directory ?? "(embedded default)",
                valid,
                hash = valid ? result.Policy!.Hash : null,
                errors = result.Errors.Select(e => new { file = e.File, line = e.Line, message = e.Message }),
            });
        }
        else if (valid)
        {
            Console.WriteLine($"{directory ?? "(embedded default)"}: valid, policy hash {result.Policy!.Hash}");
        }
        else
        {
            foreach (var error in result.Errors) Console.Error.WriteLine(error.ToString());
            Console.Error.WriteLine($"{result.Errors.Count} error{(result.Errors.Count == 1 ? "" : "s")}; the controller would keep its last good policy");
        }
        return Task.FromResult(valid ? 0 : 1);
    }
}
