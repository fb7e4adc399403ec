using System.Collections.Concurrent;
using IpsecMesh.Core.Cloud;
using IpsecMesh.Core.Model;
using IpsecMesh.Core.Options;
using IpsecMesh.Core.Queue;
using IpsecMesh.Core.Telemetry;
using IpsecMesh.HostAgent.Protocol;
using Microsoft.Extensions.Logging;

namespace IpsecMesh.Core.Agents;

/// <summary>
/// Watches every command the controller has in flight. Run Command's status-change events (EventBridge
/// to the events queue, <see cref="Notify"/>) name the commands whose invocations ended; each poll
/// interval, each such command of ours is read once (ListCommandInvocations by command id, 50
/// invocations a page, outputs included), so completion costs no polling. Under that, a slow sweep
/// (<c>CommandSweepInterval</c>): a single paginated ListCommandInvocations over the recent window for
/// every command open for an interval with no event, which catches lost events. When a command finishes, its instance is
/// queued; reconciles read the state from here and never poll SSM themselves. Commands older than
/// the window (a host whose agent is offline) are listed by command id instead.
/// </summary>
public sealed class CommandWatcher(
    ISsmGateway ssm,
    WorkQueue<string> queue,
    IpsecMeshOptions options,
    IpsecMeshTelemetry telemetry,
    TimeProvider time,
    ILogger<CommandWatcher> logger)
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan ClockSlack = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<string, TrackedCommand> _tracked = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, InvocationSummary> _latest = new(StringComparer.Ordinal);
    // Commands found in SSM at start-up (sent by an earlier leader), listed by the first sweep whatever their age.
    private readonly ConcurrentDictionary<string, byte> _recovered = new(StringComparer.Ordinal);
    // Commands an event said have ended invocations, not read since: when the first such event came, and whether the whole command has ended.
    private readonly ConcurrentDictionary<string, (DateTimeOffset FirstAt, bool CommandEnded)> _ended = new(StringComparer.Ordinal);

    /// <summary>
    /// How long an ended invocation's read waits for the rest of its command (whose own event then triggers one read
    /// for all): a batch of 50 is read once, and a straggler holds the others back by at most this.
    /// </summary>
    public static readonly TimeSpan StragglerWait = TimeSpan.FromSeconds(20);

    /// <summary>A Run Command status change from the events queue: a command with an invocation (or all) ended is read at the next poll interval.</summary>
    public void Notify(CommandEvent e)
    {
        if (!e.Ended) return;
        var now = time.GetUtcNow();
        _ended.AddOrUpdate(e.CommandId, (now, e.InstanceId is null), (_, seen) => (seen.FirstAt, seen.CommandEnded || e.InstanceId is null));
    }

    /// <summary>
    /// Reads each command an event reported ended, if it is one of ours still open: one paged listing per command, once
    /// the whole command has ended or its first ended invocation waited <see cref="StragglerWait"/>.
    /// </summary>
    public async Task ReadEndedAsync(CancellationToken cancellationToken)
    {
        if (_ended.IsEmpty) return;
        var now = time.GetUtcNow();
        var due = _ended.Where(e => e.Value.CommandEnded || now - e.Value.FirstAt >= StragglerWait).Select(e => e.Key).ToList();
        if (due.Count == 0) return;
        foreach (var id in due) _ended.TryRemove(id, out _);
        var open = OpenCommandIds();
        var seen = new List<InvocationSummary>();
        foreach (var commandId in due.Where(open.Contains))
            seen.AddRange(await ssm.ListInvocationsAsync(now - Window, commandId, details: true, cancellationToken));
        if (seen.Count > 0) Record(seen, open.Count);
    }

    private HashSet<string> OpenCommandIds() =>
        _tracked.Where(t => Latest(t.Key, t.Value.CommandId) is not { IsFinished: true }).Select(t => t.Value.CommandId).ToHashSet(StringComparer.Ordinal);

    public void Track(string instanceId, TrackedCommand command)
    {
        _tracked[instanceId] = command;
        _latest.TryRemove(instanceId, out _);
    }

    /// <summary>A command an earlier leader sent: its events may have gone to that leader, so the next sweep lists it whatever its age.</summary>
    public void TrackRecovered(string instanceId, TrackedCommand command)
    {
        Track(instanceId, command);
        _recovered[command.CommandId] = 0;
    }

    public void Untrack(string instanceId)
    {
        if (_tracked.TryRemove(instanceId, out var command)) _recovered.TryRemove(command.CommandId, out _);
        _latest.TryRemove(instanceId, out _);
    }

    public void Clear()
    {
        _tracked.Clear();
        _latest.Clear();
        _recovered.Clear();
    }

    /// <summary>What the last sweep saw of this command on this instance; null before any sweep saw it.</summary>
    public InvocationSummary? Latest(string instanceId, string commandId) =>
        _latest.TryGetValue(instanceId, out var seen) && seen.CommandId == commandId ? seen : null;

    /// <summary>
    /// The tracked command's state from the last sweep or read; SSM is asked directly (GetCommandInvocation) only for a
    /// finished command whose listed output is incomplete. A command never listed long after it could have run out
    /// (history lost, or another account's command id) reads as timed out.
    /// </summary>
    public async Task<CommandSnapshot> ReadAsync(string instanceId, TrackedCommand tracked, CancellationToken cancellationToken)
    {
        var seen = Latest(instanceId, tracked.CommandId);
        var pending = new CommandSnapshot { CommandId = tracked.CommandId, Verbs = tracked.Verbs, SentAt = tracked.SentAt, SentConfigHash = tracked.ConfigHash, Status = seen?.Status ?? CommandStatus.Pending };
        if (seen is null)
            return time.GetUtcNow() - tracked.SentAt > options.CommandTimeout + TimeSpan.FromMinutes(15) ? pending with { Status = CommandStatus.TimedOut } : pending;
        if (!seen.IsFinished) return pending;
        if (seen.Status == CommandStatus.Success && seen.OutputComplete)
        {
            telemetry.RecordSsmCommand(tracked.CommandId, tracked.Verbs, seen.Status.ToString(), tracked.SentAt, time.GetUtcNow());
            return pending with { Results = AgentResult.ParseAll(seen.Output) };
        }
        return await ssm.FetchAsync(tracked, instanceId, cancellationToken);
    }

    public async Task SweepAsync(CancellationToken cancellationToken)
    {
        if (_tracked.IsEmpty) return;
        var now = time.GetUtcNow();
        var windowStart = now - Window;
        // Only commands that had a whole interval for their event: younger ones and those an event already reported ended
        // (read at the next poll) would cost pages for nothing while a fleet enrols. A lost event is caught within two intervals.
        var open = _tracked.Where(t => Latest(t.Key, t.Value.CommandId) is not { IsFinished: true }
            && (now - t.Value.SentAt >= options.CommandSweepInterval || _recovered.ContainsKey(t.Value.CommandId))
            && !_ended.ContainsKey(t.Value.CommandId)).ToList();
        if (open.Count == 0) return;
        var recent = open.Where(t => t.Value.SentAt >= windowStart).ToList();
        var seen = new List<InvocationSummary>();
        var byCommand = open.Where(t => t.Value.SentAt < windowStart).Select(t => t.Value.CommandId).ToHashSet(StringComparer.Ordinal);
        if (recent.Count > 0)
        {
            // One listing of everything invoked since the oldest open command (50 a page, ours and others'), or one per open
            // command (a page per 50 of its invocations): whichever is fewer pages. Few commands left open, e.g. one host
            // whose agent is slow, then cost a page each instead of a walk through all the commands since.
            var since = recent.Min(t => t.Value.SentAt) - ClockSlack;
            var recentCommands = recent.Select(t => t.Value.CommandId).ToHashSet(StringComparer.Ordinal);
            var listedSince = _tracked.Values.Count(t => t.SentAt >= since);
            if (recentCommands.Count < (listedSince + 49) / 50) byCommand.UnionWith(recentCommands);
            else seen.AddRange(await ssm.ListInvocationsAsync(since, null, details: true, cancellationToken));
        }
        foreach (var commandId in byCommand)
            seen.AddRange(await ssm.ListInvocationsAsync(windowStart, commandId, details: true, cancellationToken));

        Record(seen, open.Count);
    }

    private void Record(List<InvocationSummary> seen, int open)
    {
        var finished = 0;
        foreach (var invocation in seen)
        {
            if (!_tracked.TryGetValue(invocation.InstanceId, out var tracked) || tracked.CommandId != invocation.CommandId) continue;
            var before = Latest(invocation.InstanceId, invocation.CommandId);
            _latest[invocation.InstanceId] = invocation;
            if (invocation.IsFinished && before is not { IsFinished: true })
            {
                finished++;
                queue.Add(invocation.InstanceId);
            }
        }
        AgentsLog.Swept(logger, open, seen.Count, finished);
    }
}
