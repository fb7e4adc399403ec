using System.Diagnostics;
using IpsecMesh.Core.Agents;
using IpsecMesh.Core.Cloud;
using IpsecMesh.Core.Desired;
using IpsecMesh.Core.Leadership;
using IpsecMesh.Core.Model;
using IpsecMesh.Core.Options;
using IpsecMesh.Core.Queue;
using IpsecMesh.Core.Reconcile;
using IpsecMesh.Core.Rollout;
using IpsecMesh.Core.Sources;
using IpsecMesh.Core.State;
using IpsecMesh.Core.Telemetry;
using IpsecMesh.HostAgent.Protocol;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace IpsecMesh.Core.Hosting;

/// <summary>
/// The controller's main service: while this replica leads, it loads the desired state and the
/// registry, resumes SSM commands a previous process left running, then runs the workers, the SQS
/// source, the resync, the config poll and the heartbeat. No loop dies silently: each logs and
/// retries; shutdown cancels the sources and lets in-process reconciles finish.
/// </summary>
public sealed class ControllerLoops(
    ILeadership leadership,
    DesiredStateProvider desired,
    CertificateCache certificates,
    TagSealKey sealKey,
    ConfigRollout rollout,
    RolloutAdvancer rolloutAdvancer,
    CaRetirementCheck caRetirement,
    InstanceStore store,
    ISsmGateway ssm,
    CommandWatcher commands,
    RotationGate rotations,
    WorkQueue<string> queue,
    InstanceReconciler reconciler,
    SqsEventSource events,
    Resync resync,
    HostHealthCollector hostHealth,
    ControllerStatus status,
#pragma warning disable CS9113 // Taken so that the observable gauges exist exactly as long as the loops.
    FleetGauges gauges,
#pragma warning restore CS9113
    IpsecMeshOptions options,
    IpsecMeshTelemetry telemetry,
    TimeProvider time,
    ILogger<ControllerLoops> logger) : BackgroundService
{
    private static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan StartupRetry = TimeSpan.FromSeconds(15);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            CancellationToken leadershipLost;
            try { leadershipLost = await leadership.WaitForLeadershipAsync(stoppingToken); }
            catch (OperationCanceledException) { return; }
            using var leading = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, leadershipLost);
            Log.Leading(logger);
            try
            {
                await RunWhileLeadingAsync(leading.Token);
            }
            catch (OperationCanceledException) when (leading.IsCancellationRequested)
            {
                // Shutdown or lost leadership: the loops below have stopped.
            }
            if (!stoppingToken.IsCancellationRequested) Log.LeadershipLost(logger);
        }
    }

    private async Task RunWhileLeadingAsync(CancellationToken cancellationToken)
    {
        var resynced = await StartUpAsync(cancellationToken);
        status.Started = true;
        var loops = new List<Task>
        {
            Every("resync", options.ResyncInterval, resync.RunOnceAsync, cancellationToken, skipFirst: resynced),
            Every("config", options.ConfigPollInterval, async ct =>
            {
                await desired.RefreshAsync(ct);
                await rolloutAdvancer.RunOnceAsync(ct);
                await caRetirement.RunOnceAsync(ct);
            }, cancellationToken, skipFirst: true),
            Every("heartbeat", HeartbeatInterval, Beat, cancellationToken),
            Every("command reads", options.CommandPollInterval, commands.ReadEndedAsync, cancellationToken),
            Every("command sweep", options.CommandSweepInterval, commands.SweepAsync, cancellationToken),
            Every("host health", options.HostStatusInterval, hostHealth.CollectAsync, cancellationToken, skipFirst: true),
            events.RunAsync(cancellationToken),
        };
        loops.AddRange(Enumerable.Range(0, options.Workers).Select(_ => WorkerAsync(cancellationToken)));
        try
        {
            await Task.WhenAll(loops);
        }
        finally
        {
            status.Started = false;
        }
    }

    /// <summary>
    /// Loads the state, resumes commands, then runs the first resync (whose VPC scan the first desired config
    /// includes, so enrolling hosts get the generated clear group from the start, not in a roll-out right after)
    /// and loads the desired state. True when that resync succeeded; a failed one is left to the resync loop.
    /// </summary>
    private async Task<bool> StartUpAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                // What this replica knew before (as leader in an earlier term) may be stale: start from AWS.
                store.Clear();
                commands.Clear();
                rotations.Clear();
                await sealKey.LoadAsync(cancellationToken);
                await rollout.LoadAsync(cancellationToken);
                await certificates.LoadAsync(cancellationToken);
                // Commands a previous leader may not have acted on yet: those that can still run, and a margin for a backlog.
                var since = time.GetUtcNow() - options.CommandTimeout - TimeSpan.FromMinutes(15);
                foreach (var (instanceId, command) in await ssm.RecoverAsync(since, cancellationToken))
                {
                    var record = store.Get(instanceId);
                    if (record.Command is not null) continue;
                    record.Command = command;
                    commands.Track(instanceId, command);
                    // It may be replacing a certificate: it counts against RotationConcurrency until it finishes.
                    if (command.Verbs.Contains(AgentVerbs.InstallCert) || command.Verbs.Contains(AgentVerbs.InstallP12))
                        rotations.Recover(instanceId, command.SentAt);
                    Log.CommandRecovered(logger, command.CommandId, string.Join('+', command.Verbs), instanceId);
                    queue.Add(instanceId);
                }
                var resynced = true;
                try
                {
                    await resync.RunOnceAsync(cancellationToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    resynced = false;
                    Log.LoopFailed(logger, "resync", e.GetType().Name, Sanitize(e.Message));
                }
                await desired.RefreshAsync(cancellationToken);
                return resynced;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Log.StartupFailed(logger, e.GetType().Name, e.Message, StartupRetry);
                await Task.Delay(StartupRetry, time, cancellationToken);
            }
        }
    }

    private Task Beat(CancellationToken cancellationToken)
    {
        telemetry.Heartbeat.Add(1);
        status.LastHeartbeat = time.GetUtcNow();
        return Task.CompletedTask;
    }

    private async Task WorkerAsync(CancellationToken cancellationToken)
    {
        // The queue outlives a lost leadership; a worker only stops taking keys.
        while (!cancellationToken.IsCancellationRequested)
        {
            var (ok, key) = await queue.TryGetAsync(cancellationToken);
            if (!ok) return;
            try
            {
                await ProcessAsync(key, cancellationToken);
            }
            finally
            {
                queue.Done(key);
            }
        }
    }

    private async Task ProcessAsync(string instanceId, CancellationToken cancellationToken)
    {
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["InstanceId"] = instanceId, ["ReconcileId"] = Guid.NewGuid().ToString("N")[..12] });
        using var activity = telemetry.Source.StartActivity("reconcile");
        activity?.SetTag("instance.id", instanceId);
        var started = time.GetTimestamp();
        ReconcileOutcome outcome;
        try
        {
            outcome = await reconciler.ReconcileAsync(instanceId, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Cancelled mid-reconcile by shutdown: the next leader's resync picks the instance up.
            return;
        }
        catch (Exception e)
        {
            outcome = FailureClassifier.Classify(e);
            Log.ReconcileFailed(logger, outcome.Result, e.GetType().Name, Sanitize(e.Message));
            activity?.SetStatus(ActivityStatusCode.Error, e.GetType().Name);
            activity?.SetTag("error.type", e.GetType().Name);
        }
        var elapsed = time.GetElapsedTime(started).TotalSeconds;
        telemetry.Reconciles.Add(1, new TagList { { "result", outcome.Result } });
        telemetry.ReconcileDuration.Record(elapsed, new TagList { { "result", outcome.Result } });
        activity?.SetTag("result", outcome.Result);
        Apply(instanceId, outcome);
    }

    private void Apply(string instanceId, ReconcileOutcome outcome)
    {
        switch (outcome)
        {
            case ReconcileOutcome.Done done:
                queue.Forget(instanceId);
                if (done.After is { } after) queue.AddAfter(instanceId, after);
                break;
            case ReconcileOutcome.Requeue requeue:
                queue.AddAfter(instanceId, requeue.After);
                break;
            case ReconcileOutcome.Retry:
                var delay = queue.AddRateLimited(instanceId);
                telemetry.QueueRetries.Add(1);
                if (store.TryGet(instanceId, out var record)) record.RetryNotBefore = time.GetUtcNow() + delay;
                break;
            case ReconcileOutcome.Terminal terminal:
                queue.Forget(instanceId);
                Log.Terminal(logger, terminal.Reason);
                break;
        }
    }

    private async Task Every(string name, TimeSpan interval, Func<CancellationToken, Task> work, CancellationToken cancellationToken, bool skipFirst = false)
    {
        using var timer = new PeriodicTimer(interval, time);
        if (skipFirst && !await timer.WaitForNextTickAsync(cancellationToken)) return;
        do
        {
            try
            {
                await work(cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                Log.LoopFailed(logger, name, e.GetType().Name, Sanitize(e.Message));
            }
        }
        while (await timer.WaitForNextTickAsync(cancellationToken));
    }

    private static string Sanitize(string message) => StatusText.Clean(message, 300);
}
