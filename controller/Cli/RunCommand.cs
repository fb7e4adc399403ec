using System.CommandLine;
using IpsecMesh.Core.Hosting;
using Microsoft.Extensions.Hosting;

namespace IpsecMesh.Cli;

/// <summary><c>ipsec-mesh run [--leader-election]</c>: the controller, until SIGINT/SIGTERM (exit 0).</summary>
public static class RunCommand
{
    public static Command Create()
    {
        var leaderElection = CliOptions.Switch("--leader-election", "elect a leader through an S3 lease (several replicas may run)");
        var command = new Command("run", """
            run the controller (settings: appsettings.json, IpsecMesh__* environment).
            Runs the reconciliation controller until stopped. Settings come from appsettings.json beside the
            binary and the environment (IpsecMesh__QueueUrl, IpsecMesh__Bucket, IpsecMesh__CaKmsKeyId, ...);
            every invalid setting is reported at once. AWS credentials and endpoints come from the SDK's
            default chain (AWS_ENDPOINT_URL for LocalStack). Logs are JSON on standard output; metrics and
            traces go over OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set.
            """) { leaderElection };
        command.SetAction((parsed, cancellationToken) => RunAsync(parsed.GetValue(leaderElection), cancellationToken));
        return command;
    }

    /// <summary>Builds the controller host (appsettings.json beside the binary, the environment; flags override) and runs it.</summary>
    /// <exception cref="SettingsException">Invalid settings, every one named.</exception>
    public static async Task<int> RunAsync(bool leaderElection, CancellationToken cancellationToken)
    {
        var overrides = new Dictionary<string, string?>(StringComparer.Ordinal);
        if (leaderElection) overrides["IpsecMesh:LeaderElection:Enabled"] = "true";
        using var host = ControllerHost.Build(overrides);
        await host.RunAsync(cancellationToken);
        return 0;
    }
}
