using System.CommandLine;
using System.Text;
using IpsecMesh.HostAgent.Policy;
using Microsoft.Extensions.DependencyInjection;

namespace IpsecMesh.Cli;

/// <summary><c>ipsec-mesh config validate [DIR] [--vpc] [--json]</c>: checks a mesh policy directory the way the controller does before a rollout.</summary>
public static class ConfigCommand
{
    public static Command Create()
    {
        var directory = new Argument<string?>("DIR") { Description = "the policy directory (default: the embedded default policy)", Arity = ArgumentArity.ZeroOrOne };
        directory.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string?>() is { } dir && !Directory.Exists(dir)) result.AddError($"'{dir}' is not a directory");
        });
        var json = CliOptions.Json("one object: source, valid, hash, libreswan, errors (file, line, message), generated");
        var vpc = new Option<bool>("--vpc")
        {
            Description = "also read, with the AWS settings of `status`, the entries the controller generates from the VPC (managed-service "
                + "addresses kept clear; the VPC's CIDR blocks with VpcRangesGroup), list each with the interface or VPC it comes from and why, "
                + "and validate the policy with them",
        };
        var validate = new Command("validate", """
            validate a mesh policy directory.
            Validates the mesh policy in DIR (default: the embedded default policy): the policy group files
            private, clear, private-or-clear, clear-or-private, block and the conn template. Every error is
            named with its file and line. Where libreswan is installed, its own parser also checks the
            template (addconn --checkconfig). Exit 0 when valid, 1 when not. The controller applies the
            same checks (but libreswan's) to s3://BUCKET/config/ and keeps the last good policy when they
            fail; hosts check with their own libreswan before changing anything.
            """) { directory, vpc, json };
        validate.SetAction((parsed, cancellationToken) => ValidateAsync(parsed.GetValue(directory), parsed.GetValue(json), cancellationToken, parsed.GetValue(vpc)));
        return new Command("config", "validate a mesh policy directory (config validate [DIR])") { validate };
    }

    /// <summary>Validates the policy in <paramref name="directory"/> (null: the embedded default).</summary>
    /// <returns>0 when valid, 1 when not (errors on standard error, or in the JSON object).</returns>
    public static async Task<int> ValidateAsync(string? directory, bool json, CancellationToken cancellationToken, bool withVpc = false)
    {
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
        await using var services = CliServices.ForReading(out var options);
        return await GeneratedEntriesView.ScanAsync(services.GetRequiredService<Core.Cloud.Ec2Gateway>(), options, null, cancellationToken);
    }
}
