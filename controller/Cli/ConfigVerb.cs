using System.Text;
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
        named with its file and line. Where libreswan is installed, its own parser also checks the
        template (addconn --checkconfig). Exit 0 when valid, 1 when not. The controller applies the
        same checks (but libreswan's) to s3://BUCKET/config/ and keeps the last good policy when they
        fail; hosts check with their own libreswan before changing anything.
        """;
    public IReadOnlySet<string> Switches { get; } = new HashSet<string> { "json" };

    public async Task<int> RunAsync(CliArgs args, CancellationToken cancellationToken)
    {
        if (args.Positionals.Count == 0 || args.Positionals[0] != "validate") throw new CliException("expected 'config validate [DIR]'");
        if (args.Positionals.Count > 2) throw new CliException("config validate takes at most one directory");
        var json = args.Has("json");
        args.EnsureAllUsed();
        var directory = args.Positionals.Count == 2 ? args.Positionals[1] : null;
        if (directory is not null && !Directory.Exists(directory)) throw new CliException($"'{directory}' is not a directory");
        var result = directory is null ? new PolicyLoadResult(MeshPolicy.Default, []) : MeshPolicy.LoadDirectory(directory);
        var errors = result.Errors.ToList();
        var addconn = LibreswanCheck.Locate();
        var templatePath = directory is null ? null : Path.Combine(directory, PolicyGroups.TemplateFile);
        var template = templatePath is not null && File.Exists(templatePath) ? await File.ReadAllTextAsync(templatePath, cancellationToken)
            : directory is null ? Encoding.UTF8.GetString(MeshPolicy.Default.RenderBundle()["config/" + PolicyGroups.TemplateFile]) : null;
        if (addconn is not null && template is not null)
            errors.AddRange(await LibreswanCheck.CheckAsync(addconn, template, templatePath ?? PolicyGroups.TemplateFile, cancellationToken));
        var valid = result.Policy is not null && errors.Count == 0;
        var libreswan = addconn is null ? "not installed here: its parser was not run" : $"checked with {addconn} --checkconfig";
        if (json)
        {
            JsonOutput.Write(new
            {
                source = directory ?? "(embedded default)",
                valid,
                hash = valid ? result.Policy!.Hash : null,
                libreswan,
                errors = errors.Select(e => new { file = e.File, line = e.Line, message = e.Message }),
            });
        }
        else if (valid)
        {
            Console.WriteLine($"{directory ?? "(embedded default)"}: valid, policy hash {result.Policy!.Hash} (libreswan: {libreswan})");
        }
        else
        {
            foreach (var error in errors.OrderBy(e => e.File, StringComparer.Ordinal).ThenBy(e => e.Line)) Console.Error.WriteLine(error.ToString());
            Console.Error.WriteLine($"{errors.Count} error{(errors.Count == 1 ? "" : "s")} (libreswan: {libreswan}); the controller would keep its last good policy");
        }
        return valid ? 0 : 1;
    }
}
