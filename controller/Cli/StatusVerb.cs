using IpsecMesh.Core.Cloud;
using IpsecMesh.Core.Options;
using IpsecMesh.Core.Reconcile;
using IpsecMesh.Core.Telemetry;
using Microsoft.Extensions.Configuration;

namespace IpsecMesh.Cli;

/// <summary><c>ipsec-mesh status</c>: the tagged instances as EC2 reports them: phase, certificate expiry, last message.</summary>
public sealed class StatusVerb : ICliVerb
{
    public string Name => "status";
    public string Summary => "list tagged instances: phase, certificate expiry, last message";
    public string Usage => """
        usage: ipsec-mesh status [--json]

        Lists every instance carrying the tag key (IpsecMesh__TagKey, default IPSec) in the configured
        region (and VPC, if IpsecMesh__VpcId is set) with its phase, certificate expiry and the
        controller's last status sentence. Read-only.
        """;
    public IReadOnlySet<string> Switches { get; } = new HashSet<string> { "json" };

    public async Task<int> RunAsync(CliArgs args, CancellationToken cancellationToken)
    {
        var json = args.Has("json");
        args.EnsureAllUsed();
        var options = CliConfiguration.Build().GetSection(IpsecMeshOptions.Section).Get<IpsecMeshOptions>() ?? new IpsecMeshOptions();
        var errors = OptionsValidation.Validate(options, requireAwsResources: false);
        if (errors.Count > 0) throw new Core.Hosting.SettingsException(errors);
        var clients = new AwsClientFactory(null, options.Region);
        using var telemetry = new IpsecMeshTelemetry();
        await using var ec2 = new Ec2Gateway(clients.CreateEc2(), options, TimeProvider.System, new AwsCallMeter(telemetry), TimeSpan.Zero);
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
        if (json)
        {
            JsonOutput.Write(new { instances = view, phases = view.GroupBy(v => v.phase ?? "").ToDictionary(g => g.Key, g => g.Count()) });
            return 0;
        }
        Console.WriteLine($"{"INSTANCE",-21} {"STATE",-9} {"PHASE",-9} {"CERT EXPIRY",-21} STATUS");
        foreach (var row in view)
            Console.WriteLine($"{row.instanceId,-21} {row.state,-9} {row.phase,-9} {row.certificateExpiry ?? "-",-21} {row.status ?? "-"}");
        Console.WriteLine($"{view.Count} instances: " + string.Join(", ", view.GroupBy(v => v.phase ?? "?").Select(g => $"{g.Count()} {g.Key}")));
        return 0;
    }
}
