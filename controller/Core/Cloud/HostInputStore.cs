using System.Collections.Concurrent;
using IpsecMesh.HostAgent.Document;
using IpsecMesh.HostAgent.Protocol;
using IpsecMesh.Pki.Storage;
using Microsoft.Extensions.Logging;

namespace IpsecMesh.Core.Cloud;

/// <summary>
/// The bucket's <c>hosts/inputs/</c>: one immutable object per distinct input file, named by its
/// SHA-256 and written once (If-None-Match), which the agent document downloads before the agent
/// runs. A file written or found within the last minutes is not written again, so a batch of 50
/// identical commands, or a roll-out's thousand, costs one PUT; after that the next send checks
/// again (the stack's lifecycle rule expires input files a month after they were written).
/// </summary>
public sealed class HostInputStore(IObjectStore store, TimeProvider time, ILogger<HostInputStore> logger)
{
    private static readonly TimeSpan Remembered = TimeSpan.FromMinutes(5);
    private const int MaxRemembered = 10_000;
    private readonly ConcurrentDictionary<string, DateTimeOffset> _present = new(StringComparer.Ordinal);

    public async Task EnsureAsync(AgentInputs inputs, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (_present.TryGetValue(inputs.Sha256, out var seen) && now - seen < Remembered) return;
        var key = AgentDocument.InputsKey(inputs.Sha256);
        if (await store.PutIfAbsentAsync(key, inputs.Content, cancellationToken)) CloudLog.InputWritten(logger, key, inputs.Content.Length);
        if (_present.Count >= MaxRemembered)
            foreach (var (sha, at) in _present)
                if (now - at >= Remembered) _present.TryRemove(sha, out _);
        _present[inputs.Sha256] = now;
    }
}
