using System.Text;
using IpsecMesh.HostAgent.Policy;
using Microsoft.Extensions.Configuration;

namespace IpsecMesh.Cli;

/// <summary><c>ipsec-mesh config validate [DIR]</c>: checks a mesh policy directory the way the controller does before a rollout.</summary>
public sealed class ConfigVerb : ICliVerb
{
    public string Name => "config";
    public string Summary => "validate a mesh policy directory (config validate [DIR])";
    public string Usage => """
        usage: ipsec-mesh config validate [DIR] [--vpc] [--json]

        Validates the mesh policy in DIR (default: the embedded default policy): the policy group files
        private, clear, private-or-clear, clear-or-private, block and the conn template. Every error is
        named with its file and line. Where libreswan is installed, its own parser also checks the
        template (addconn --checkconfig). Exit 0 when valid, 1 when not. The controller applies the
        same checks (but libreswan's) to s3://BUCKET/config/ and keeps the last good policy when they
        fail; hosts check with their own libreswan before changing anything.

        --vpc also reads, with the AWS settings of `status`, the entries the controller generates from
        the VPC (managed-service addresses kept clear; the VPC's CIDR blocks with VpcRangesGroup), lists
        each with the interface or VPC it comes from and why, and validates the policy with them.
        """;
    public IReadOnlySet<string> Switches { get; } = new HashSet<string> { "json", "vpc" };

    public async Task<int> RunAsync(CliArgs args, CancellationToken cancellationToken)
    {
        if (args.Positionals.Count == 0 || args.Positionals[0] != "validate") throw new CliException("expected 'config validate [DIR]'");
        if (args.Positionals.Count > 2) throw new CliException("config validate takes at most one directory");
        var json = args.Has("json");
        var withVpc = args.Has("vpc");
        args.EnsureAllUsed();
        var directory = args.Positionals.Count == 2 ? args.Positionals[1] : null;
        if (directory is not null && !Directory.Exists(directory)) throw new CliException($"'{directory}' is not a directory");
        var result = directory is null ? new PolicyLoadResult(MeshPolicy.Default, []) : MeshPolicy.LoadDirectory(directory);
        IReadOnlyList<IpsecMesh.Core.Vpc.GeneratedEntry> generated = withVpc ? await ScanVpcAsync(cancellationToken) : [];
        if (result.Policy is not null && generated.Count > 0)
            result = result with { Policy = result.Policy.WithGenerated(IpsecMesh.Core.Vpc.VpcPolicyFacts.ByGroup(generated)) };
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
                generated = GeneratedEntriesView.Json(generated),
            });
        }
        else if (valid)
        {
            Console.WriteLine($"{directory ?? "(embedded default)"}: valid, policy hash {result.Policy!.Hash} (libreswan: {libreswan})");
            if (withVpc) GeneratedEntriesView.Print(generated, Console.Out, result.Policy);
        }
        else
        {
            foreach (var error in errors.OrderBy(e => e.File, StringComparer.Ordinal).ThenBy(e => e.Line)) Console.Error.WriteLine(error.ToString());
            Console.Error.WriteLine($"{errors.Count} error{(errors.Count == 1 ? "" : "s")} (libreswan: {libreswan}); the controller would keep its last good policy");
        }
        return valid ? 0 : 1;
    }

    private static async Task<IReadOnlyList<IpsecMesh.Core.Vpc.GeneratedEntry>> ScanVpcAsync(CancellationToken cancellationToken)
    {
        var options = CliConfiguration.Build().GetSection(Core.Options.IpsecMeshOptions.Section).Get<Core.Options.IpsecMeshOptions>() ?? new Core.Options.IpsecMeshOptions();
        var errors = Core.Options.OptionsValidation.Validate(options, requireAwsResources: false);
        if (errors.Count > 0) throw new Core.Hosting.SettingsException(errors);
        using var telemetry = new Core.Telemetry.IpsecMeshTelemetry();
        await using var ec2 = new Core.Cloud.Ec2Gateway(new Core.Cloud.AwsClientFactory(null, options.Region).CreateEc2(), options, TimeProvider.System,
            new Core.Telemetry.AwsCallMeter(telemetry), TimeSpan.Zero);
        return await GeneratedEntriesView.ScanAsync(ec2, options, null, cancellationToken);
    }
}
