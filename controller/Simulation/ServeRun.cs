using System.Diagnostics;
using IpsecMesh.Core.Cloud;
using IpsecMesh.Core.Hosting;
using IpsecMesh.Pki.Authority;
using IpsecMesh.Simulator;
using IpsecMesh.Simulator.Sdk;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace IpsecMesh.Simulation;

/// <summary>
/// <c>simulate --serve</c>: the simulated AWS and its virtual hosts alone, on 127.0.0.1, for a controller (<c>ipsec-mesh run</c>),
/// the operator verbs and the AWS CLI in other processes. Prints the endpoint and the environment to export, creates the mesh CA
/// if the account has none, runs until cancelled (SIGINT, SIGTERM), then saves the account to <c>--state DIR</c>.
/// </summary>
public sealed class ServeRun(ServeSettings settings, TextWriter output)
{
    public const string StateFileName = "account.json";

    /// <summary>Virtual hosts take a tenth of the default verb latencies: an install in 2 s, not 20 (wall time, at --speed 1).</summary>
    private static readonly VirtualHostOptions HostOptions = new()
    {
        Latency = new VirtualHostOptions().Latency.ToDictionary(l => l.Key, l => l.Value / 10, StringComparer.Ordinal),
        DefaultLatency = TimeSpan.FromMilliseconds(100),
    };

    /// <summary>The endpoint once serving (tests wait for it).</summary>
    public Uri? Endpoint { get; private set; }

    public async Task<int> RunAsync(CancellationToken stop)
    {
        TimeProvider time = settings.Speed == 1 ? TimeProvider.System : new ScaledTimeProvider(settings.Speed);
        var options = SimulatorOptions.Default with
        {
            Seed = settings.Seed,
            Throttle = settings.AwsThrottling ? ThrottleProfile.Aws : ThrottleProfile.None,
            Empty = settings.Empty,
        };
        var statePath = settings.StateDirectory is { } directory ? Path.Combine(directory, StateFileName) : null;
        if (settings.StateDirectory is not null) Directory.CreateDirectory(settings.StateDirectory);
        var restored = statePath is not null && File.Exists(statePath);
        await using var aws = restored ? SimulatedAws.Restore(statePath!, options, time, HostOptions) : new SimulatedAws(options, time);
        aws.Fleet.HostOptions = HostOptions;
        if (!restored) Launch(aws);
        Endpoint = await aws.ListenAsync(settings.Port, stop);
        var ca = settings.CreateCa && !settings.Empty ? await EnsureCaAsync(aws, stop) : "not created (--empty or --no-ca): run `ipsec-mesh ca init --if-missing` with the environment below";
        var environment = Environment(aws, Endpoint);
        // Every line but the exports starts with '#': the whole output can be pasted into a shell.
        output.WriteLine($"# simulated AWS (EC2, SSM, KMS, S3, SQS, EventBridge) on {Endpoint}: "
            + (restored ? $"account restored from {statePath}" : settings.Empty ? "an empty account" : $"{settings.Instances} instances launched")
            + $", {aws.Fleet.Instances.Count} instances; mesh CA: {ca}");
        output.WriteLine("# paste these into the shells of ipsec-mesh run, ipsec-mesh status and the AWS CLI:");
        foreach (var (name, value) in environment) output.WriteLine($"export {name}={value}");
        output.WriteLine($"# stop with Ctrl-C (SIGINT) or SIGTERM{(statePath is null ? "" : $"; the account is saved to {statePath}")}");
        output.Flush();
        if (settings.EnvFile is { } envFile)
            await File.WriteAllLinesAsync(envFile, environment.Select(e => $"export {e.Name}={e.Value}"), CancellationToken.None);

        try
        {
            await Task.Delay(Timeout.Infinite, stop);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // SIGINT or SIGTERM: save and leave
        }
        var saving = Stopwatch.StartNew();
        if (statePath is not null)
        {
            aws.Save(statePath);
            output.WriteLine($"# saved the account ({aws.Fleet.Instances.Count} instances) to {statePath} in {saving.ElapsedMilliseconds} ms");
        }
        return 0;
    }

    private void Launch(SimulatedAws aws)
    {
        if (settings.Empty) return;
        // Two managed-service interfaces in the default VPC (a load balancer node, a database), which the controller keeps in clear.
        aws.Fleet.AddManagedInterface("network_load_balancer", "ELB net/web/50dc6c495c0c9188");
        aws.Fleet.AddManagedInterface("interface", "RDSNetworkInterface");
        for (var i = 0; i < settings.Instances; i++)
        {
            var tags = new Dictionary<string, string>(settings.Tags, StringComparer.Ordinal) { ["Name"] = $"sim-host-{i + 1}" };
            aws.Fleet.Launch(new InstanceSpec { Tags = tags, Runtime = new VirtualHost(HostOptions with { Seed = settings.Seed * 7919 + i }) });
        }
    }

    /// <summary>
    /// `ca init --if-missing` in process, against this simulator: the settings and services `ipsec-mesh ca` builds
    /// (<see cref="VerbSettings"/>, <see cref="CaServices"/>), under this simulator's resources.
    /// </summary>
    private static async Task<string> EnsureCaAsync(SimulatedAws aws, CancellationToken cancellationToken)
    {
        await using var provider = CaServices.Build(VerbSettings.Build(ControllerSettings(aws)), l => l.ClearProviders(),
            SimulatedAwsOptions.Create(aws), SimulatedAwsOptions.HttpClientFactory(aws));
        var admin = provider.GetRequiredService<CaAdministration>();
        if (await admin.ExistsAsync(cancellationToken)) return $"{(await admin.ShowAsync(cancellationToken))[0].Subject} (present)";
        var created = await admin.InitAsync(withBackup: false, cancellationToken);
        return $"{created.Ca.Subject} (created)";
    }

    private static Dictionary<string, string?> ControllerSettings(SimulatedAws aws) => new(StringComparer.Ordinal)
    {
        ["IpsecMesh:Region"] = aws.Region,
        ["IpsecMesh:QueueUrl"] = aws.QueueUrl,
        ["IpsecMesh:Bucket"] = aws.BucketName,
        ["IpsecMesh:CaKmsKeyId"] = "alias/ipsec-mesh-ca",
        ["IpsecMesh:HostKmsKeyId"] = "alias/ipsec-mesh-host",
    };

    /// <summary>What another process exports to reach this simulator: the SDK's own variables and the controller's settings.</summary>
    public static IReadOnlyList<(string Name, string Value)> Environment(SimulatedAws aws, Uri endpoint)
    {
        var url = endpoint.ToString().TrimEnd('/');
        return
        [
            ("AWS_ENDPOINT_URL", url),
            ("AWS_REGION", aws.Region),
            ("AWS_DEFAULT_REGION", aws.Region),
            ("AWS_ACCESS_KEY_ID", "simulated"),
            ("AWS_SECRET_ACCESS_KEY", "simulated"),
            ("IpsecMesh__Region", aws.Region),
            ("IpsecMesh__QueueUrl", aws.QueueUrl),
            ("IpsecMesh__Bucket", aws.BucketName),
            ("IpsecMesh__CaKmsKeyId", "alias/ipsec-mesh-ca"),
            ("IpsecMesh__HostKmsKeyId", "alias/ipsec-mesh-host"),
        ];
    }
}
