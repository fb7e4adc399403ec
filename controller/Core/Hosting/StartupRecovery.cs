using IpsecMesh.Core.Desired;
using IpsecMesh.Core.Queue;
using IpsecMesh.Core.Sources;
using Microsoft.Extensions.Logging;
using Polly;

namespace IpsecMesh.Core.Hosting;

/// <summary>
/// The start of a leadership term: the controller's state reloaded from S3, the SSM commands an earlier leader left
/// running resumed, then the first resync and the first desired config. Retried every <see cref="Retry"/> until it
/// succeeds (or the term ends).
/// </summary>
public sealed class StartupRecovery(LeaderState state, CommandRecovery commands, Resync resync, DesiredStateProvider desired, TimeProvider time, ILogger<StartupRecovery> logger)
{
    /// <summary>The wait before a failed start-up is tried again.</summary>
    public static readonly TimeSpan Retry = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Loads the state, resumes commands, then runs the first resync (whose VPC scan the first desired config
    /// includes, so enrolling hosts get the generated clear group from the start, not in a roll-out right after)
    /// and loads the desired state. True when that resync succeeded; a failed one is left to the resync loop.
    /// Throws only <see cref="OperationCanceledException"/>.
    /// </summary>
    public async Task<bool> RunAsync(CancellationToken cancellationToken) =>
        await _startup.ExecuteAsync(RunOnceAsync, cancellationToken);

    private readonly ResiliencePipeline _startup = LoopRetry.Create(time, _ => Retry, e => e is not OperationCanceledException,
        (e, delay) => HostingLog.StartupFailed(logger, e.GetType().Name, e.Message, delay));

    private async ValueTask<bool> RunOnceAsync(CancellationToken cancellationToken)
    {
        await state.ResetAndLoadAsync(cancellationToken);
        await commands.ResumeAsync(cancellationToken);
        var resynced = true;
        try
        {
            await resync.RunOnceAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            resynced = false;
            HostingLog.LoopFailed(logger, "resync", e.GetType().Name, HostingLog.Sanitize(e.Message));
        }
        await desired.RefreshAsync(cancellationToken);
        return resynced;
    }
}
