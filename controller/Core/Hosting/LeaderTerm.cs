using IpsecMesh.Core.Leadership;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace IpsecMesh.Core.Hosting;

/// <summary>
/// The controller's main service: while this replica leads (one leadership term), it runs the
/// <see cref="StartupRecovery"/>, then the <see cref="TermRunnables"/> (periodic loops and the SQS source) and the
/// <see cref="ReconcileWorkers"/>, until the term ends. No loop dies silently: each logs and retries; shutdown
/// cancels the sources and lets in-process reconciles finish.
/// </summary>
public sealed class LeaderTerm(
    ILeadership leadership,
    StartupRecovery startup,
    TermRunnables runnables,
    ReconcileWorkers workers,
    ControllerStatus status,
    ILogger<LeaderTerm> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            CancellationToken leadershipLost;
            try { leadershipLost = await leadership.WaitForLeadershipAsync(stoppingToken); }
            catch (OperationCanceledException) { return; }
            using var leading = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, leadershipLost);
            HostingLog.Leading(logger);
            try
            {
                await RunTermAsync(leading.Token);
            }
            catch (OperationCanceledException) when (leading.IsCancellationRequested)
            {
                // Shutdown or lost leadership: the loops below have stopped.
            }
            if (!leadershipLost.IsCancellationRequested) await runnables.FinishAsync();
            if (!stoppingToken.IsCancellationRequested) HostingLog.LeadershipLost(logger);
        }
    }

    private async Task RunTermAsync(CancellationToken cancellationToken)
    {
        var resynced = await startup.RunAsync(cancellationToken);
        status.Started = true;
        var loops = runnables.Start(resynced, cancellationToken).Concat(workers.Start(cancellationToken)).ToList();
        try
        {
            await Task.WhenAll(loops);
        }
        finally
        {
            status.Started = false;
        }
    }
}
