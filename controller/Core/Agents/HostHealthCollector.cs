using System.Collections.Concurrent;
using IpsecMesh.Core.Cloud;
using IpsecMesh.Core.Model;
using IpsecMesh.Core.Options;
using IpsecMesh.HostAgent.Protocol;
using Microsoft.Extensions.Logging;

namespace IpsecMesh.Core.Agents;

/// <summary>
/// Collects every enabled host's IPsec health in batches: one SendCommand with Targets by tag reaches
/// the whole enabled fleet each <c>HostStatusInterval</c>, and all its results are read with paginated
/// ListCommandInvocations (50 per call), once: as soon as Run Command's event says the whole command ended
/// (<see cref="Notify"/>, read at the next command poll), else at the next tick. No call per instance.
/// </summary>
public sealed class HostHealthCollector(ISsmGateway ssm, IpsecMeshOptions options, TimeProvider time, ILogger<HostHealthCollector> logger)
{
    private readonly ConcurrentDictionary<string, HostHealth> _latest = new(StringComparer.Ordinal);
    private string? _pendingCommand;
    private string? _endedCommand;

    public IReadOnlyCollection<HostHealth> Latest => [.. _latest.Values];

    /// <summary>A Run Command status change from the events queue: the status command in flight has ended on every host.</summary>
    public void Notify(CommandEvent e)
    {
        if (e.Ended && e.InstanceId is null && e.CommandId == Volatile.Read(ref _pendingCommand)) Volatile.Write(ref _endedCommand, e.CommandId);
    }

    /// <summary>Reads the status command an event reported ended, unless the tick read it already.</summary>
    public async Task ReadEndedAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _endedCommand, null) is not { } ended) return;
        // Compared by reference, so with the collector's own string: the event's is another instance of the same id.
        var pending = Volatile.Read(ref _pendingCommand);
        if (pending == ended && ReferenceEquals(Interlocked.CompareExchange(ref _pendingCommand, null, pending), pending)) await ReadOrKeepAsync(pending, cancellationToken);
    }

    public async Task CollectAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _pendingCommand, null) is { } previous) await ReadOrKeepAsync(previous, cancellationToken);
        Volatile.Write(ref _pendingCommand, await ssm.SendToTaggedAsync(options.TagKey, TagValues.Enabled, AgentRequest.For(AgentVerbs.Status), cancellationToken));
    }

    /// <summary>Reads the round; when the read fails (throttled, say), the round stays pending for the next tick, unless a newer one was sent.</summary>
    private async Task ReadOrKeepAsync(string commandId, CancellationToken cancellationToken)
    {
        try
        {
            await ReadAsync(commandId, cancellationToken);
        }
        catch
        {
            Interlocked.CompareExchange(ref _pendingCommand, commandId, null);
            throw;
        }
    }

    private async Task ReadAsync(string commandId, CancellationToken cancellationToken)
    {
        var finished = (await ssm.ListInvocationsAsync(DateTimeOffset.MinValue, commandId, details: true, cancellationToken)).Where(i => i.IsFinished).ToList();
        var now = time.GetUtcNow();
        foreach (var invocation in finished)
        {
            if (AgentResult.ParseAll(invocation.Output).LastOrDefault(r => r.Verb == AgentVerbs.Status && r.Ok) is { } status)
                _latest[invocation.InstanceId] = Parse(invocation.InstanceId, status, now);
        }
        foreach (var stale in _latest.Where(h => now - h.Value.CollectedAt > 3 * options.HostStatusInterval).Select(h => h.Key).ToList())
            _latest.TryRemove(stale, out _);
        AgentsLog.HostHealthCollected(logger, finished.Count, commandId);
    }

    internal static HostHealth Parse(string instanceId, AgentResult status, DateTimeOffset now)
    {
        var shunts = new Dictionary<string, long>(StringComparer.Ordinal);
        if (status.GetObject("shunts") is { } shuntObject)
            foreach (var (kind, value) in shuntObject)
                shunts[kind] = value?.GetValueKind() == System.Text.Json.JsonValueKind.Number ? value.GetValue<long>() : 0;
        long espErrors = 0;
        if (status.GetObject("xfrm") is { } xfrm)
            foreach (var (_, value) in xfrm)
                espErrors += value?.GetValueKind() == System.Text.Json.JsonValueKind.Number ? value.GetValue<long>() : 0;
        return new HostHealth(instanceId, status.GetBool("running") ?? false, status.GetInt64("ipsecSAs") ?? 0, status.GetInt64("ikeSAs") ?? 0,
            status.GetInt64("ikeFailures") ?? 0, espErrors, shunts, now);
    }
}
