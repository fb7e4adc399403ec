using IpsecMesh.Simulator.Sdk;
using IpsecMesh.Core.Cloud;
using IpsecMesh.Core.Hosting;
using IpsecMesh.Pki.Authority;
using IpsecMesh.Simulator;
using IpsecMesh.Simulator.Hosts;
using IpsecMesh.Simulator.Throttling;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace IpsecMesh.Integration.Tests.Support;

/// <summary>
/// The real controller (as `run` builds it) against the simulated AWS on an accelerated clock.
/// Controllers can be started and stopped over the same simulated state, as a restart would.
/// </summary>
public sealed class MeshFixture : IAsyncDisposable
{
    public const string TagKey = "IPSec";
    public const double Speed = 60;

    private readonly List<IHost> _controllers = [];
    private bool _caCreated;

    public MeshFixture(SimulatorOptions? options = null, IDictionary<string, string?>? settings = null)
    {
        Time = new ScaledTimeProvider(Speed);
        Aws = new SimulatedAws(options ?? SimulatorOptions.Default with { Throttle = ThrottleProfile.None }, Time);
        Settings = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["IpsecMesh:TagKey"] = TagKey,
            ["IpsecMesh:Region"] = Aws.Region,
            ["IpsecMesh:QueueUrl"] = Aws.QueueUrl,
            ["IpsecMesh:Bucket"] = Aws.BucketName,
            ["IpsecMesh:CaKmsKeyId"] = Aws.CaKeyId,
            ["IpsecMesh:HostKmsKeyId"] = Aws.HostKeyId,
            ["IpsecMesh:HealthPort"] = "0",
            ["IpsecMesh:Workers"] = "8",
            ["IpsecMesh:ResyncInterval"] = "01:00:00",
            ["IpsecMesh:HostStatusInterval"] = "10:00:00",
            ["IpsecMesh:CommandPollInterval"] = "00:00:05",
            ["IpsecMesh:AgentWaitInterval"] = "00:00:10",
            ["IpsecMesh:BackoffBase"] = "00:00:05",
            ["IpsecMesh:BackoffCap"] = "00:01:00",
            ["IpsecMesh:BatchWindow"] = "00:00:00.500",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) Settings[key] = value;
    }

    public ScaledTimeProvider Time { get; }
    public SimulatedAws Aws { get; }
    public Dictionary<string, string?> Settings { get; }
    /// <summary>Where the controller's log lines go; <see cref="ListLoggerProvider"/> writes under its lock.</summary>
    public List<string> LogSink { get; } = [];

    /// <summary>A copy of the log lines so far, safe to read while the controller is still logging.</summary>
    public IReadOnlyList<string> Logs { get { lock (LogSink) return [.. LogSink]; } }

    public SimInstance Launch(string? tag = "todo", TimeSpan? agentDelay = null, VirtualHostOptions? host = null) =>
        Aws.Fleet.Launch((tag is null ? new InstanceSpec() : InstanceSpec.Tagged(TagKey, tag)) with
        {
            AgentOnlineDelay = agentDelay ?? TimeSpan.Zero,
            Runtime = new VirtualHost(host ?? VirtualHostOptions.Instant),
        });

    public async Task<IHost> StartControllerAsync(CancellationToken cancellationToken)
    {
        var host = ControllerHost.Build(Settings, SimulatedAwsOptions.Create(Aws), SimulatedAwsOptions.HttpClientFactory(Aws), Time, logging =>
        {
            logging.ClearProviders();
            logging.AddProvider(new ListLoggerProvider(LogSink));
            logging.SetMinimumLevel(LogLevel.Information);
        });
        if (!_caCreated)
        {
            await host.Services.GetRequiredService<CaAdministration>().InitAsync(withBackup: false, cancellationToken);
            _caCreated = true;
        }
        await host.StartAsync(cancellationToken);
        _controllers.Add(host);
        return host;
    }

    public static async Task StopAsync(IHost host)
    {
        await host.StopAsync(TimeSpan.FromSeconds(10));
        host.Dispose();
    }

    /// <summary>Waits (wall clock) until the condition holds; fails with what was seen otherwise.</summary>
    public async Task WaitForAsync(Func<bool> condition, string what, TimeSpan? wall = null)
    {
        var deadline = DateTime.UtcNow + (wall ?? TimeSpan.FromSeconds(60));
        while (DateTime.UtcNow < deadline)
        {
            if (condition()) return;
            await Task.Delay(50);
        }
        var tags = string.Join("; ", Aws.Fleet.Instances.Select(i => $"{i.InstanceId}: {i.Tag(TagKey)} / {i.Tag(TagKey + ":Status")}"));
        var errors = string.Join("\n", Logs.Where(l => l.Contains("fail", StringComparison.OrdinalIgnoreCase)).TakeLast(10));
        throw new TimeoutException($"timed out waiting for {what}; tags: {tags}\nrecent failures:\n{errors}");
    }

    public Task WaitForTagAsync(SimInstance instance, string value, TimeSpan? wall = null) =>
        WaitForAsync(() => instance.Tag(TagKey) == value, $"{instance.InstanceId} to be {value}", wall);

    public long Calls(string api) => Aws.Calls.Snapshot().TryGetValue(api, out var tally) ? tally.Total : 0;

    public async ValueTask DisposeAsync()
    {
        foreach (var host in _controllers)
        {
            try { await host.StopAsync(TimeSpan.FromSeconds(5)); }
            catch (ObjectDisposedException) { }
            host.Dispose();
        }
        await Aws.DisposeAsync();
    }
}
