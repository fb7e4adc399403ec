using IpsecMesh.Simulator.Sdk;
using IpsecMesh.Core.Cloud;
using IpsecMesh.Core.Hosting;
using IpsecMesh.Core.Leadership;
using IpsecMesh.Integration.Tests.Support;
using IpsecMesh.Pki.Authority;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace IpsecMesh.Integration.Tests.Leadership;

/// <summary>One controller replica over a mesh's simulated AWS, with its own request counts and log lines.</summary>
public sealed class Replica : IAsyncDisposable
{
    /// <summary>Longer than the defaults so that the safety margin (lease minus deadline) survives a noisy machine at 60x.</summary>
    public static readonly IReadOnlyDictionary<string, string?> LeaderSettings = new Dictionary<string, string?>
    {
        ["IpsecMesh:LeaderElection:Enabled"] = "true",
        ["IpsecMesh:LeaderElection:LeaseDuration"] = "00:01:00",
        ["IpsecMesh:LeaderElection:RenewDeadline"] = "00:00:30",
        ["IpsecMesh:LeaderElection:RetryPeriod"] = "00:00:05",
    };

    private readonly List<string> _logs;
    private bool _disposed;

    private Replica(IHost host, CountingHandler requests, List<string> logs)
    {
        Host = host;
        Requests = requests;
        _logs = logs;
    }

    public IHost Host { get; }
    public CountingHandler Requests { get; }
    public IReadOnlyList<string> Logs { get { lock (_logs) return [.. _logs]; } }
    public ILeadership Leadership => Host.Services.GetRequiredService<ILeadership>();
    public bool IsLeader => Leadership.IsLeader;

    public static async Task<Replica> StartAsync(MeshFixture mesh, bool initCa, CancellationToken cancellationToken)
    {
        var settings = new Dictionary<string, string?>(mesh.Settings);
        foreach (var (key, value) in LeaderSettings) settings.TryAdd(key, value);
        var logs = new List<string>();
        var requests = new CountingHandler(mesh.Aws.CreateHandler());
        var host = ControllerHost.Build(settings, SimulatedAwsOptions.Create(mesh.Aws), SimulatedAwsOptions.HttpClientFactory(requests), mesh.Time, logging =>
        {
            logging.ClearProviders();
            logging.AddProvider(new ListLoggerProvider(logs));
            logging.SetMinimumLevel(LogLevel.Information);
        });
        if (initCa) await host.Services.GetRequiredService<CaAdministration>().InitAsync(withBackup: false, cancellationToken);
        await host.StartAsync(cancellationToken);
        return new Replica(host, requests, logs);
    }

    /// <summary>A graceful stop: loops drain, then the lease is released.</summary>
    public async Task StopAsync()
    {
        if (_disposed) return;
        _disposed = true;
        await Host.StopAsync(TimeSpan.FromSeconds(10));
        Host.Dispose();
    }

    /// <summary>A crash: everything is cancelled at once, nothing is released.</summary>
    public void Crash()
    {
        if (_disposed) return;
        _disposed = true;
        Host.Dispose();
    }

    public async ValueTask DisposeAsync() => await StopAsync();
}
