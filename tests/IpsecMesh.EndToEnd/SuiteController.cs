using Amazon.Extensions.NETCore.Setup;
using Amazon.Runtime;
using IpsecMesh.Core.Agents;
using IpsecMesh.Core.Cloud;
using IpsecMesh.Core.Hosting;
using IpsecMesh.Pki.Authority;
using IpsecMesh.Simulator;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace IpsecMesh.EndToEnd;

/// <summary>
/// The real controller over the simulated AWS, restartable with other settings over the same state
/// (as an operator's redeploy would be): scenario c runs a controller that renews soon, the others
/// one that leaves certificates alone, so no rotation lands in the middle of another scenario.
/// </summary>
public sealed class SuiteController(SimulatedAws aws, AWSOptions awsOptions, HttpClientFactory transport, TimeProvider time, CancellationTokenSource suiteStop) : IAsyncDisposable
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(30);
    private IHost? _host;
    private bool _caCreated;
    private bool _stoppingOnPurpose;

    /// <summary>The running controller's latest view of every enabled host, from the agent's status verb.</summary>
    public IReadOnlyCollection<HostHealth> HostHealth =>
        _host?.Services.GetRequiredService<HostHealthCollector>().Latest ?? [];

    public async Task StartAsync(RenewalPace pace, CancellationToken cancellationToken)
    {
        if (_host is not null) throw new InvalidOperationException("the controller is already running");
        var host = ControllerHost.Build(SuitePolicy.ControllerSettings(aws, pace), awsOptions, transport, time,
            logging => logging.ClearProviders().AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace).SetMinimumLevel(LogLevel.Information));
        // The host's console lifetime takes SIGTERM over: end the whole suite with it.
        host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.Register(() =>
        {
            if (!_stoppingOnPurpose) suiteStop.Cancel();
        });
        if (!_caCreated)
        {
            await host.Services.GetRequiredService<CaAdministration>().InitAsync(withBackup: false, cancellationToken);
            _caCreated = true;
        }
        await host.StartAsync(cancellationToken);
        _host = host;
    }

    /// <summary>A service of the running controller (its CA administration, its desired state, …).</summary>
    public T Service<T>() where T : notnull =>
        (_host ?? throw new InvalidOperationException("the controller is not running")).Services.GetRequiredService<T>();

    public async Task RestartAsync(RenewalPace pace, CancellationToken cancellationToken)
    {
        await StopAsync();
        await StartAsync(pace, cancellationToken);
    }

    public async Task StopAsync()
    {
        if (_host is not { } host) return;
        _stoppingOnPurpose = true;
        try
        {
            await host.StopAsync(StopTimeout);
        }
        finally
        {
            host.Dispose();
            _host = null;
            _stoppingOnPurpose = false;
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync();
}
