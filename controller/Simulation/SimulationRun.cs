using System.Diagnostics;
using System.Globalization;
using IpsecMesh.Core.Cloud;
using IpsecMesh.Core.Hosting;
using IpsecMesh.Core.Queue;
using IpsecMesh.Core.Sources;
using IpsecMesh.Core.Telemetry;
using IpsecMesh.Pki.Authority;
using IpsecMesh.Simulator;
using IpsecMesh.Simulator.Sdk;
using IpsecMesh.Simulator.Throttling;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace IpsecMesh.Simulation;

/// <summary>
/// The real controller, with the real AWS SDK clients, against the embedded simulated AWS: a fleet of
/// instances tagged <c>IPSec=todo</c> on an accelerated clock, run until every instance is enabled.
/// </summary>
public sealed class SimulationRun(SimulationSettings settings, TextWriter progress)
{
    private const string TagKey = "IPSec";

    /// <summary>The simulated AWS while the run lasts (what a test that watches for a hang inspects).</summary>
    public SimulatedAws? Simulator { get; private set; }

    public async Task<SimulationReport> RunAsync(CancellationToken cancellationToken)
    {
        var wall = Stopwatch.StartNew();
        var time = new ScaledTimeProvider(settings.Speed);
        var simulatorOptions = (settings.Chaos ? SimulatorOptions.Chaos : SimulatorOptions.Default) with
        {
            Seed = settings.Seed,
            Throttle = settings.AwsThrottling ? ThrottleProfile.Aws : ThrottleProfile.None,
        };
        await using var aws = new SimulatedAws(simulatorOptions, time);
        Simulator = aws;
        var endpoint = settings.Listen ? await aws.ListenAsync(0, cancellationToken) : null;
        if (endpoint is not null) progress.WriteLine($"simulated AWS listening on {endpoint}");
        SimulatedFleet.Launch(aws, settings, TagKey);

        using var metrics = new MetricsSnapshot();
        using var host = ControllerHost.Build(ControllerSettings(aws), SimulatedAwsOptions.Create(aws), SimulatedAwsOptions.HttpClientFactory(aws), time, ConfigureLogging);
        await host.Services.GetRequiredService<CaAdministration>().InitAsync(withBackup: false, cancellationToken);
        var simulatedStart = time.GetUtcNow();
        await host.StartAsync(cancellationToken);

        double? secondsToConverge = null;
        long enrolmentCalls = 0;
        IReadOnlyDictionary<string, long> enrolment = new Dictionary<string, long>();
        IReadOnlyDictionary<string, long> enrolmentThrottled = new Dictionary<string, long>();
        try
        {
            secondsToConverge = await WaitForConvergenceAsync(aws, time, simulatedStart, wall, cancellationToken);
            enrolmentCalls = Ec2SsmCalls(aws);
            var snapshot = aws.Calls.Snapshot();
            enrolment = snapshot.ToDictionary(c => c.Key, c => c.Value.Total, StringComparer.Ordinal);
            enrolmentThrottled = snapshot.ToDictionary(c => c.Key, c => c.Value.Throttled, StringComparer.Ordinal);
        }
        finally
        {
            if (!settings.Json) progress.WriteLine();
        }
        var steady = secondsToConverge is null ? null : await MeasureSteadyResyncAsync(host, aws, cancellationToken);
        var metricValues = metrics.Read();
        await host.StopAsync(CancellationToken.None);

        var certificates = aws.ListKeys("issued/").Count(k => k.EndsWith(".pem", StringComparison.Ordinal));
        if (settings.ExportDirectory is { } directory) await SimulationExport.WriteAsync(directory, aws, host.Services, TagKey, cancellationToken);
        using var process = Process.GetCurrentProcess();
        var calls = aws.Calls.Snapshot();
        return new SimulationReport
        {
            Instances = settings.Instances,
            Converged = secondsToConverge is not null,
            Phases = Phases(aws),
            ApiCalls = calls.OrderBy(c => c.Key, StringComparer.Ordinal).ToDictionary(c => c.Key, c => c.Value.Total, StringComparer.Ordinal),
            Throttled = aws.Calls.Throttled,
            CertificatesIssued = certificates,
            SimulatedSeconds = Math.Round((time.GetUtcNow() - simulatedStart).TotalSeconds, 1),
            WallSeconds = Math.Round(wall.Elapsed.TotalSeconds, 1),
            SimulatedSecondsToConverge = secondsToConverge is { } s ? Math.Round(s, 1) : null,
            Ec2SsmCallsPerInstance = Math.Round((double)enrolmentCalls / settings.Instances, 2),
            SsmCallsPerInstance = PerInstance(enrolment, k => k.StartsWith("ssm:", StringComparison.Ordinal)),
            CreateTagsPerInstance = PerInstance(enrolment, k => k == "ec2:CreateTags"),
            CreateTagsThrottledPerInstance = PerInstance(enrolmentThrottled, k => k == "ec2:CreateTags"),
            OtherEc2CallsPerInstance = PerInstance(enrolment, k => k.StartsWith("ec2:", StringComparison.Ordinal) && k != "ec2:CreateTags"),
            SteadyCallsPerResyncPer1000 = steady is { } st ? Math.Round(st.Total * 1000.0 / settings.Instances, 2) : null,
            SteadyResyncCalls = steady?.ByApi,
            CertificatesPerInstance = Math.Round((double)certificates / settings.Instances, 3),
            PeakRssMb = Math.Round(process.PeakWorkingSet64 / 1048576.0, 1),
            CpuSeconds = Math.Round(process.TotalProcessorTime.TotalSeconds, 1),
            LowerBoundSeconds = Math.Round(aws.LowerBoundSeconds(), 1),
            MaxConcurrentCommandsPerInstance = aws.MaxConcurrentCommandsPerInstance,
            OverlappingCommands = aws.OverlappingCommandDetails,
            DeadLetterMessages = aws.PeekQueue(deadLetter: true).Count,
            // Per-host series (one per instance and host metric) stay out of the report; their fleet sums stand in.
            Metrics = SummarizeMetrics(metricValues),
            Endpoint = endpoint?.ToString(),
        };
    }

    private static Dictionary<string, string?> ControllerSettings(SimulatedAws aws) => new(StringComparer.Ordinal)
    {
        ["IpsecMesh:TagKey"] = TagKey,
        ["IpsecMesh:Region"] = aws.Region,
        ["IpsecMesh:QueueUrl"] = aws.QueueUrl,
        ["IpsecMesh:Bucket"] = aws.BucketName,
        ["IpsecMesh:CaKmsKeyId"] = aws.CaKeyId,
        ["IpsecMesh:HostKmsKeyId"] = aws.HostKeyId,
        ["IpsecMesh:Workers"] = "256",
        ["IpsecMesh:HealthPort"] = "0",
        ["IpsecMesh:ResyncInterval"] = "00:05:00",
        ["IpsecMesh:HostStatusInterval"] = "00:05:00",
        ["IpsecMesh:CommandPollInterval"] = "00:00:05",
        ["IpsecMesh:AgentWaitInterval"] = "00:00:20",
        ["IpsecMesh:BackoffBase"] = "00:00:05",
        ["IpsecMesh:BackoffCap"] = "00:02:00",
        ["IpsecMesh:BatchWindow"] = "00:00:00.500",
    };

    private void ConfigureLogging(ILoggingBuilder logging)
    {
        if (settings.Verbose)
        {
            logging.AddIpsecMeshLogging();
            logging.SetMinimumLevel(LogLevel.Information);
            return;
        }
        logging.ClearProviders();
        // Without --verbose, the simulation's own output is the progress line; errors still reach stderr.
        logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Error);
        logging.AddFilter("Microsoft", LogLevel.Error);
    }

    private async Task<double?> WaitForConvergenceAsync(SimulatedAws aws, TimeProvider time, DateTimeOffset start, Stopwatch wall, CancellationToken cancellationToken)
    {
        var interactive = !settings.Json && !Console.IsOutputRedirected;
        var lastPrinted = TimeSpan.Zero;
        while (wall.Elapsed < settings.WallTimeout)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken);
            var phases = Phases(aws);
            var enabled = phases.GetValueOrDefault("enabled");
            var simulated = time.GetUtcNow() - start;
            if (!settings.Json && (interactive || wall.Elapsed - lastPrinted >= TimeSpan.FromSeconds(10)))
            {
                lastPrinted = wall.Elapsed;
                var line = $"t+{simulated.TotalSeconds,7:F0}s simulated ({wall.Elapsed.TotalSeconds:F0}s wall): "
                    + string.Join("  ", phases.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key} {p.Value}"))
                    + $"  | AWS calls {aws.Calls.Total}, throttled {aws.Calls.Throttled}";
                // A terminal may report no width (0) at all; pad to what it has, or to 120.
                if (interactive) progress.Write("\r" + line.PadRight(Console.WindowWidth > 20 ? Math.Min(Console.WindowWidth - 1, 160) : 120));
                else progress.WriteLine(line);
            }
            if (enabled == settings.Instances) return simulated.TotalSeconds;
        }
        return null;
    }

    /// <summary>
    /// The calls one resync of the converged fleet drives, in total and by API (only those it made), with every reconcile
    /// it queues finished. The controller's periodic loops keep running meanwhile (a scheduled resync, the host-health
    /// command every 10 wall seconds at speed 30): one that fires inside the window adds its calls, so the window is
    /// measured three times and the quietest kept; a resync that itself costs more shows in all three.
    /// </summary>
    private static async Task<(long Total, IReadOnlyDictionary<string, long> ByApi)?> MeasureSteadyResyncAsync(IHost host, SimulatedAws aws, CancellationToken cancellationToken)
    {
        (long Total, IReadOnlyDictionary<string, long> ByApi)? quietest = null;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var measured = await MeasureResyncOnceAsync(host, aws, cancellationToken);
            if (quietest is null || measured.Total < quietest.Value.Total) quietest = measured;
        }
        return quietest;
    }

    private static async Task<(long Total, IReadOnlyDictionary<string, long> ByApi)> MeasureResyncOnceAsync(IHost host, SimulatedAws aws, CancellationToken cancellationToken)
    {
        var queue = host.Services.GetRequiredService<WorkQueue<string>>();
        await WaitForIdleQueueAsync(queue, cancellationToken);
        var before = aws.Calls.Snapshot().ToDictionary(c => c.Key, c => c.Value.Total, StringComparer.Ordinal);
        var totalBefore = ResyncDrivenCalls(aws);
        await host.Services.GetRequiredService<Resync>().RunOnceAsync(cancellationToken);
        await WaitForIdleQueueAsync(queue, cancellationToken);
        var byApi = aws.Calls.Snapshot()
            .Select(c => (c.Key, Delta: c.Value.Total - before.GetValueOrDefault(c.Key)))
            .Where(c => c.Delta > 0 && (c.Key.StartsWith("ec2:", StringComparison.Ordinal) || (c.Key.StartsWith("ssm:", StringComparison.Ordinal) && c.Key != "ssm:ListCommandInvocations")))
            .OrderBy(c => c.Key, StringComparer.Ordinal)
            .ToDictionary(c => c.Key, c => c.Delta, StringComparer.Ordinal);
        return (ResyncDrivenCalls(aws) - totalBefore, byApi);
    }

    private static async Task WaitForIdleQueueAsync(WorkQueue<string> queue, CancellationToken cancellationToken)
    {
        var idleSince = Stopwatch.StartNew();
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromMinutes(2))
        {
            if (queue.Depth > 0 || queue.InProcess > 0) idleSince.Restart();
            else if (idleSince.Elapsed > TimeSpan.FromSeconds(1)) return;
            await Task.Delay(50, cancellationToken);
        }
    }

    /// <summary>
    /// Calls a resync and the reconciles it queues can make: EC2, and SSM other than the listings of
    /// the command watcher and host-health loops, which run on their own clocks whether or not a
    /// resync happens (as do the SQS long polls and the config poll's S3 reads).
    /// </summary>
    private static long ResyncDrivenCalls(SimulatedAws aws) =>
        aws.Calls.Snapshot().Where(c => c.Key.StartsWith("ec2:", StringComparison.Ordinal)
            || (c.Key.StartsWith("ssm:", StringComparison.Ordinal) && c.Key != "ssm:ListCommandInvocations")).Sum(c => c.Value.Total);

    private double PerInstance(IReadOnlyDictionary<string, long> calls, Func<string, bool> counted) =>
        Math.Round((double)calls.Where(c => counted(c.Key)).Sum(c => c.Value) / settings.Instances, 3);

    private static long Ec2SsmCalls(SimulatedAws aws) =>
        aws.Calls.Snapshot().Where(c => c.Key.StartsWith("ec2:", StringComparison.Ordinal) || c.Key.StartsWith("ssm:", StringComparison.Ordinal)).Sum(c => c.Value.Total);

    private static Dictionary<string, int> Phases(SimulatedAws aws) =>
        aws.Fleet.Instances.GroupBy(i => i.Tag(TagKey) ?? "untagged").ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);

    private static Dictionary<string, double> SummarizeMetrics(IReadOnlyDictionary<string, double> values)
    {
        var summary = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (key, value) in values)
        {
            var start = key.IndexOf("instance.id=", StringComparison.Ordinal);
            var name = start < 0 ? key : key[..key.IndexOf('{', StringComparison.Ordinal)] + "{sum over hosts" + Kind(key) + "}";
            summary[name] = Math.Round(summary.GetValueOrDefault(name) + value, 3);
        }
        return summary;

        static string Kind(string key) => key.Contains("kind=", StringComparison.Ordinal) ? ",kind=" + key[(key.IndexOf("kind=", StringComparison.Ordinal) + 5)..].Split(',', '}')[0] : "";
    }

    public static string Format(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);
}
