using System.CommandLine;
using Amazon.S3;
using IpsecMesh.Core.Cloud;
using IpsecMesh.Core.Model;
using IpsecMesh.Core.Options;
using IpsecMesh.Core.Rollout;
using IpsecMesh.Core.State;
using IpsecMesh.Pki.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace IpsecMesh.Cli;

/// <summary><c>ipsec-mesh status [--json]</c>: the tagged instances as EC2 reports them: phase, certificate expiry, last message.</summary>
public static class StatusCommand
{
    public static Command Create()
    {
        var json = CliOptions.Json("one object: instances (instanceId, state, phase, certificateExpiry, config, status), phases, configs, rollout");
        var command = new Command("status", """
            list tagged instances: phase, certificate expiry, last message.
            Lists every instance carrying the tag key (IpsecMesh__TagKey, default IPSec) in the configured
            region (and VPC, if IpsecMesh__VpcId is set) with its phase, certificate expiry and the
            controller's last status sentence, then the policy entries the controller generates from the
            VPC (managed-service addresses kept clear, VPC ranges with VpcRangesGroup), each with the interface
            or VPC it comes from and why. Read-only.
            """) { json };
        command.SetAction((parsed, cancellationToken) => RunAsync(parsed.GetValue(json), cancellationToken));
        return command;
    }

    /// <summary>Lists the instances (text table or JSON); exit 0.</summary>
    /// <exception cref="Core.Options.SettingsException">Invalid settings.</exception>
    public static async Task<int> RunAsync(bool json, CancellationToken cancellationToken)
    {
        await using var services = CliServices.ForReading(out var options);
        var ec2 = services.GetRequiredService<Ec2Gateway>();
        var rows = new List<InstanceSnapshot>();
        await foreach (var page in ec2.ListTaggedAsync(cancellationToken)) rows.AddRange(page);
        var view = rows.OrderBy(r => r.InstanceId, StringComparer.Ordinal).Select(r => new
        {
            instanceId = r.InstanceId,
            state = r.State,
            phase = r.Tag(options.TagKey),
            certificateExpiry = r.Tag(options.CertExpiryTagKey),
            config = r.Tag(options.ConfigTagKey),
            status = r.Tag(options.StatusTagKey),
        }).ToList();
        var rollout = await ReadRolloutAsync(options, services.GetRequiredService<IAmazonS3>(), cancellationToken);
        var generated = await GeneratedEntriesView.ScanAsync(ec2, options, rows, cancellationToken);
        var configs = view.Where(v => v.config is not null).GroupBy(v => v.config!).OrderByDescending(g => g.Count()).ToDictionary(g => g.Key, g => g.Count());
        if (json)
        {
            JsonOutput.Write(new { instances = view, phases = view.GroupBy(v => v.phase ?? "").ToDictionary(g => g.Key, g => g.Count()), configs, rollout,
                generated = GeneratedEntriesView.Json(generated) });
            return 0;
        }
        Console.WriteLine($"{"INSTANCE",-21} {"STATE",-9} {"PHASE",-9} {"CERT EXPIRY",-21} STATUS");
        foreach (var row in view)
            Console.WriteLine($"{row.instanceId,-21} {row.state,-9} {row.phase,-9} {row.certificateExpiry ?? "-",-21} {row.status ?? "-"}");
        Console.WriteLine($"{view.Count} instances: " + string.Join(", ", view.GroupBy(v => v.phase ?? "?").Select(g => $"{g.Count()} {g.Key}")));
        Console.WriteLine("configs applied: " + (configs.Count == 0 ? "none" : string.Join(", ", configs.Select(c => $"{c.Key} on {c.Value}"))));
        Console.WriteLine(rollout?.Summary ?? "config roll-out: unknown (no verifiable state/rollout.json in the bucket)");
        GeneratedEntriesView.Print(generated, Console.Out);
        return 0;
    }

    /// <summary>The roll-out as the controller stored it; null when the bucket is not set or the state cannot be verified.</summary>
    private static async Task<RolloutView?> ReadRolloutAsync(IpsecMeshOptions options, IAmazonS3 s3, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(options.Bucket)) return null;
        var store = new S3ObjectStore(s3, options.Bucket);
        var key = new StateSealKey(store);
        if (!await key.LoadAsync(cancellationToken, createIfMissing: false)) return null;
        return await new RolloutStore(store, key).LoadAsync(cancellationToken) is { } state ? RolloutView.Of(state, options) : null;
    }
}
