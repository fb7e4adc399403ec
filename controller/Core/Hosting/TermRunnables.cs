using IpsecMesh.Core.Sources;
using IpsecMesh.Core.State;
using Microsoft.Extensions.Logging;

namespace IpsecMesh.Core.Hosting;

/// <summary>
/// What runs beside the reconcile workers while this replica leads: every registered <see cref="PeriodicRunnable"/>
/// (resync, config poll, heartbeat, command reads and sweep, host health) and the SQS event source.
/// </summary>
public sealed class TermRunnables(
    IEnumerable<PeriodicRunnable> periodic,
    SqsEventSource events,
    HostFactsStore facts,
#pragma warning disable CS9113 // Taken so that the observable gauges exist exactly as long as the loops.
    ControllerGauges gauges,
#pragma warning restore CS9113
    TimeProvider time,
    ILogger<TermRunnables> logger)
{
    private readonly IReadOnlyList<PeriodicRunnable> _periodic = [.. periodic];

    /// <summary>Starts them all, in registration order; each ends when <paramref name="cancellationToken"/> is cancelled.</summary>
    /// <param name="startupResynced">Whether start-up ran the first resync (then the resync loop waits one interval).</param>
    public IReadOnlyList<Task> Start(bool startupResynced, CancellationToken cancellationToken)
    {
        var loops = _periodic.Select(r => RunAsync(r, r.First switch
        {
            FirstRun.AtStart => false,
            FirstRun.AfterInterval => true,
            _ => startupResynced,
        }, cancellationToken)).ToList();
        loops.Add(events.RunAsync(cancellationToken));
        return loops;
    }

    /// <summary>A leader that stops (shutdown, not a lost lease) writes the host facts of its last seconds for the next one.</summary>
    public async Task FinishAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await facts.FlushAsync(timeout.Token);
        }
        catch (Exception e)
        {
            HostingLog.LoopFailed(logger, "host facts", e.GetType().Name, HostingLog.Sanitize(e.Message));
        }
    }

    private async Task RunAsync(PeriodicRunnable runnable, bool skipFirst, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(runnable.Interval, time);
        if (skipFirst && !await timer.WaitForNextTickAsync(cancellationToken)) return;
        do
        {
            try
            {
                await runnable.RunOnceAsync(cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                HostingLog.LoopFailed(logger, runnable.Name, e.GetType().Name, HostingLog.Sanitize(e.Message));
            }
        }
        while (await timer.WaitForNextTickAsync(cancellationToken));
    }
}
