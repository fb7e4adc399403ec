using IpsecMesh.Core.Agents;
using IpsecMesh.Core.Model;
using IpsecMesh.Core.State;
using IpsecMesh.HostAgent.Protocol;
using Microsoft.Extensions.Logging;

namespace IpsecMesh.Core.Reconcile;

/// <summary>
/// The one owner of the command in flight on an instance: the only writer of <see cref="InstanceRecord.Command"/>,
/// <see cref="InstanceRecord.Finished"/> and <see cref="InstanceRecord.InstallingCertFromCsr"/>, and the only caller of
/// <see cref="CommandWatcher"/>'s <c>Track</c>/<c>Untrack</c>/<c>Clear</c>, so the record and the watcher never disagree
/// about which command an instance runs. At most one command per instance: a send replaces the one tracked.
/// </summary>
public sealed class CommandLedger(CommandWatcher watcher, InstanceStore store, RotationGate rotations, TimeProvider time, ILogger<CommandLedger> logger)
{
    /// <summary>
    /// The command the instance runs, as far as it is known: the finished state kept until acted on, else the watcher's
    /// view of the tracked command; null when none is tracked. A finished state is kept on the record, so SSM is asked
    /// at most once per command.
    /// </summary>
    public async Task<CommandSnapshot?> ReadAsync(InstanceRecord record, CancellationToken cancellationToken)
    {
        var command = record.Finished;
        if (command is null && record.Command is { } tracked)
        {
            command = await watcher.ReadAsync(record.InstanceId, tracked, cancellationToken);
            if (command.IsFinished) record.Finished = command;
        }
        return command;
    }

    /// <summary>
    /// Sends through <paramref name="send"/> (which returns the SSM command id; its exceptions propagate and nothing is
    /// recorded) and tracks the command it started, replacing the one before.
    /// </summary>
    public async Task<TrackedCommand> SendAsync(InstanceRecord record, AgentRequest request, Func<Task<string>> send)
    {
        var sentAt = time.GetUtcNow();
        var commandId = await send();
        var command = new TrackedCommand(commandId, request.Verbs, sentAt, request.Parameters.GetValueOrDefault("configHash"));
        record.Command = command;
        watcher.Track(record.InstanceId, command);
        record.Finished = null;
        record.InstallingCertFromCsr = false;
        record.CsrFromRenewal = false;
        record.CsrSentInTodo = false;
        ReconcileLog.CommandSent(logger, string.Join('+', request.Verbs), commandId);
        return command;
    }

    /// <summary>The command just sent installs a certificate signed from the CSR the host sent (the decision reads this).</summary>
    public static void InstallsCertFromCsr(InstanceRecord record, bool renewal)
    {
        record.InstallingCertFromCsr = true;
        record.CsrFromRenewal = renewal;
    }

    /// <summary>A finished command has been acted on: forget it, so it is neither polled nor acted on again.</summary>
    public void ConsumeFinished(InstanceRecord record)
    {
        if (record.Finished is null) return;
        watcher.Untrack(record.InstanceId);
        record.Finished = null;
        record.Command = null;
        record.InstallingCertFromCsr = false;
        record.CsrFromRenewal = false;
    }

    /// <summary>
    /// A command found in SSM at start-up (sent by an earlier leader) is tracked as if this process had sent it; a
    /// certificate install counts against the rotation gate until it finishes. False, and nothing changes, when the
    /// instance already has a command tracked.
    /// </summary>
    public bool Recover(string instanceId, TrackedCommand command)
    {
        var record = store.Get(instanceId);
        if (record.Command is not null) return false;
        record.Command = command;
        watcher.TrackRecovered(instanceId, command);
        if (command.Verbs.Contains(AgentVerbs.InstallCert) || command.Verbs.Contains(AgentVerbs.InstallP12))
            rotations.Recover(instanceId, command.SentAt);
        return true;
    }

    /// <summary>Stops watching the instance's command (the instance is gone; the caller forgets its record).</summary>
    public void Untrack(string instanceId) => watcher.Untrack(instanceId);

    /// <summary>Forgets every tracked command (a new leadership term starts from what SSM reports).</summary>
    public void Clear() => watcher.Clear();
}
