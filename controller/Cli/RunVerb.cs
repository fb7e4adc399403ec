using IpsecMesh.Core.Hosting;
using Microsoft.Extensions.Hosting;

namespace IpsecMesh.Cli;

/// <summary><c>ipsec-mesh run</c>: the controller.</summary>
public sealed class RunVerb : ICliVerb
{
    public string Name => "run";
    public string Summary => "run the controller (settings: appsettings.json, IpsecMesh__* environment)";
    public string Usage => """
        usage: ipsec-mesh run [--leader-election]

        Runs the reconciliation controller until stopped. Settings come from appsettings.json beside the
        binary and the environment (IpsecMesh__QueueUrl, IpsecMesh__Bucket, IpsecMesh__CaKmsKeyId, ...);
        every invalid setting is reported at once. AWS credentials and endpoints come from the SDK's
        default chain (AWS_ENDPOINT_URL for LocalStack). Logs are JSON on standard output; metrics and
        traces go over OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set.

          --leader-election   elect a leader through an S3 lease (several replicas may run)
        """;
    public IReadOnlySet<string> Switches { get; } = new HashSet<string> { "leader-election" };

    public async Task<int> RunAsync(CliArgs args, CancellationToken cancellationToken)
    {
        var overrides = new Dictionary<string, string?>(StringComparer.Ordinal);
        if (args.Has("leader-election")) overrides["IpsecMesh:LeaderElection:Enabled"] = "true";
        args.EnsureAllUsed();
        // The host reads appsettings.json beside the binary and the environment itself; only flags override.
        using var host = ControllerHost.Build(overrides);
        await host.RunAsync(cancellationToken);
        return 0;
    }
}
