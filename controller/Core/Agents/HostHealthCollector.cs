using System.Collections.Concurrent;
using IpsecMesh.Core.Cloud;
using IpsecMesh.Core.Model;
using IpsecMesh.Core.Options;
using IpsecMesh.HostAgent.Protocol;
using Microsoft.Extensions.Logging;

namespace IpsecMesh.Core.Agents;

/// <summary>
/// Collects every enabled host's IPsec health in batches: one SendCommand with Targets by tag reaches
/// the whole enabled fleet, and the next tick reads all results with paginated ListCommandInvocations
/// (50 per call). No call per instance.
/// </summary>
public sealed class HostHealthCollector(ISsmGateway ssm, IpsecMeshOptions options, TimeProvider time, ILogger<HostHealthCollector> logger)
{
    private readonly ConcurrentDictionary<string, HostHealth> _latest = new(StringComparer.Ordinal);
    private string? _pendingCommand;

    public IReadOnlyCollection<HostHealth> Latest => [.. _latest.Values];

    public async Task CollectAsync(CancellationToken cancellationToken)
    {
        if (_pendingCommand is { } previous)
        {
            var finished = (await ssm.ListInvocationsAsync(DateTimeOffset.MinValue, previous, details: true, cancellationToken)).Where(i => i.IsFinished).ToList();
            var now = time.GetUtcNow();
            foreach (var invocation in finished)
            {
                if (AgentResult.ParseAll(invocation.Output).LastOrDefault(r => r.Verb == AgentVerbs.Status && r.Ok) is { } status)
                    _latest[invocation.InstanceId] = Parse(invocation.InstanceId, status, now);
            }
            foreach (var stale in _latest.Where(h => now - h.Value.CollectedAt > 3 * options.HostStatusInterval).Select(h => h.Key).ToList())
                _latest.TryRemove(stale, out _);
            AgentsLog.HostHealthCollected(logger, finished.Count, previous);
        }
        _pendingCommand = await ssm.SendToTaggedAsync(options.TagKey, TagValues.Enabled, AgentRequest.For(AgentVerbs.Status), cancellationToken);
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
