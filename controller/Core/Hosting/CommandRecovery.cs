using IpsecMesh.Core.Cloud;
using IpsecMesh.Core.Options;
using IpsecMesh.Core.Queue;
using IpsecMesh.Core.Reconcile;
using Microsoft.Extensions.Logging;

namespace IpsecMesh.Core.Hosting;

/// <summary>
/// Resumes the SSM commands an earlier leader (or this process before a restart) sent and may not have acted on,
/// recognised by their <c>ipsec-mesh …</c> comment, instead of sending them again.
/// </summary>
public sealed class CommandRecovery(ISsmGateway ssm, CommandLedger ledger, WorkQueue<string> queue, IpsecMeshOptions options, TimeProvider time, ILogger<CommandRecovery> logger)
{
    /// <summary>
    /// Tracks each command SSM lists since the command timeout plus 15 minutes ago (those that can still run, and a margin
    /// for a backlog) on an instance with none tracked, and queues the instance. SSM errors propagate.
    /// </summary>
    public async Task ResumeAsync(CancellationToken cancellationToken)
    {
        var since = time.GetUtcNow() - options.CommandTimeout - TimeSpan.FromMinutes(15);
        foreach (var (instanceId, command) in await ssm.RecoverAsync(since, cancellationToken))
        {
            if (!ledger.Recover(instanceId, command)) continue;
            HostingLog.CommandRecovered(logger, command.CommandId, string.Join('+', command.Verbs), instanceId);
            queue.Add(instanceId);
        }
    }
}
