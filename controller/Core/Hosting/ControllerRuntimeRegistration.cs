using IpsecMesh.Core.Agents;
using IpsecMesh.Core.Desired;
using IpsecMesh.Core.Options;
using IpsecMesh.Core.Sources;
using IpsecMesh.Core.State;
using Microsoft.Extensions.DependencyInjection;

namespace IpsecMesh.Core.Hosting;

internal static class ControllerRuntimeRegistration
{
    /// <summary>
    /// The leader term and what it runs: start-up recovery, the reconcile workers and the periodic runnables, in the
    /// order they start (a runnable registered here runs in every term).
    /// </summary>
    public static IServiceCollection AddControllerRuntime(this IServiceCollection services, IpsecMeshOptions options)
    {
        services.AddSingleton<LeaderState>();
        services.AddSingleton<CommandRecovery>();
        services.AddSingleton<StartupRecovery>();
        services.AddSingleton<ReconcileExecutor>();
        services.AddSingleton<ReconcileWorkers>();
        services.AddSingleton<Heartbeat>();
        services.AddSingleton(sp => new PeriodicRunnable("resync", options.ResyncInterval, sp.GetRequiredService<Resync>().RunOnceAsync, FirstRun.AfterIntervalIfStartupRan));
        services.AddSingleton(sp =>
        {
            var desired = sp.GetRequiredService<DesiredStateProvider>();
            var rolloutAdvancer = sp.GetRequiredService<RolloutAdvancer>();
            var caRetirement = sp.GetRequiredService<CaRetirementCheck>();
            return new PeriodicRunnable("config", options.ConfigPollInterval, async ct =>
            {
                await desired.RefreshAsync(ct);
                await rolloutAdvancer.RunOnceAsync(ct);
                await caRetirement.RunOnceAsync(ct);
            }, FirstRun.AfterInterval);
        });
        services.AddSingleton(sp => new PeriodicRunnable("heartbeat", Heartbeat.Interval, sp.GetRequiredService<Heartbeat>().BeatAsync));
        services.AddSingleton(sp =>
        {
            var commands = sp.GetRequiredService<CommandWatcher>();
            var health = sp.GetRequiredService<HostHealthCollector>();
            return new PeriodicRunnable("command reads", options.CommandPollInterval, async ct =>
            {
                await commands.ReadEndedAsync(ct);
                await health.ReadEndedAsync(ct);
            });
        });
        services.AddSingleton(sp => new PeriodicRunnable("command sweep", options.CommandSweepInterval, sp.GetRequiredService<CommandWatcher>().SweepAsync));
        services.AddSingleton(sp => new PeriodicRunnable("host facts", HostFactsStore.FlushInterval, sp.GetRequiredService<HostFactsStore>().FlushAsync, FirstRun.AfterInterval));
        services.AddSingleton(sp => new PeriodicRunnable("host health", options.HostStatusInterval, sp.GetRequiredService<HostHealthCollector>().CollectAsync, FirstRun.AfterInterval));
        services.AddSingleton<TermRunnables>();
        services.AddHostedService<LeaderTerm>();
        return services;
    }
}
