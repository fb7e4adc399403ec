using System.Collections.Concurrent;
using IpsecMesh.Core.Cloud;
using IpsecMesh.Core.Queue;
using Microsoft.Extensions.Logging;

namespace IpsecMesh.Core.Hosts;

/// <summary>
/// Watches every command the controller has in flight with one sweep per poll interval: a single
/// paginated ListCommandInvocations over the recent window (50 invocations a call, outputs
/// included), not a call per command. When a command finishes, its instance is queued; reconciles
/// read the state from here and never poll SSM themselves. Commands older than the window (a host
/// whose agent is offline) are listed by command id instead.
/// </summary>
public sealed class CommandWatcher(ISsmGateway ssm, WorkQueue<string> queue, TimeProvider time, ILogger<CommandWatcher> logger)
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan ClockSlack = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<string, TrackedCommand> _tracked = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, InvocationSummary> _latest = new(StringComparer.Ordinal);

    public void Track(string instanceId, TrackedCommand command)
    {
        _tracked[instanceId] = command;
        _latest.TryRemove(instanceId, out _);
    }

    public void Untrack(string instanceId)
    {
        _tracked.TryRemove(instanceId, out _);
        _latest.TryRemove(instanceId, out _);
    }

    public void Clear()
    {
        _tracked.Clear();
        _latest.Clear();
    }

    /// <summary>What the last sweep saw of this command on this instance; null before any sweep saw it.</summary>
    public InvocationSummary? Latest(string instanceId, string commandId) =>
        _latest.TryGetValue(instanceId, out var seen) && seen.CommandId == commandId ? seen : null;

    public async Task SweepAsync(CancellationToken cancellationToken)
    {
        if (_tracked.IsEmpty) return;
        var now = time.GetUtcNow();
        var windowStart = now - Window;
        var open = _tracked.Where(t => Latest(t.Key, t.Value.CommandId) is not { IsFinished: true }).ToList();
        if (open.Count == 0) return;
        var recent = open.Where(t => t.Value.SentAt >= windowStart).ToList();
        var seen = new List<InvocationSummary>();
        if (recent.Count > 0)
            seen.AddRange(await ssm.ListInvocationsAsync(recent.Min(t => t.Value.SentAt) - ClockSlack, null, details: true, cancellationToken));
        foreach (var commandId in open.Where(t => t.Value.SentAt < windowStart).Select(t => t.Value.CommandId).Distinct(StringComparer.Ordinal))
            seen.AddRange(await ssm.ListInvocationsAsync(windowStart, commandId, details: true, cancellationToken));

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
        Log.Swept(logger, open.Count, seen.Count, finished);
    }
}
