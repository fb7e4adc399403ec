using System.Collections.Concurrent;
using System.Text.Json;
using IpsecMesh.Pki.Storage;
using Microsoft.Extensions.Logging;

namespace IpsecMesh.Core.State;

/// <summary>
/// Every host's <see cref="HostFacts"/>, in memory, written to <c>state/host-facts.json</c> (one object for the fleet,
/// about 80 bytes per host, under an HMAC-SHA256 with the <see cref="StateSealKey"/>) at most every
/// <see cref="FlushInterval"/> while something changed and once more when a leader stops. The bucket policy lets only the
/// controller's task role and the operators write <c>state/</c>; a copy that does not verify is reported and ignored.
/// </summary>
/// <remarks>
/// Losing the last interval's changes (a crash) is safe: a host whose fact is older than the truth gets its config or
/// certificate again (both idempotent on the host). Writes are conditional on the entity tag last read or written: when
/// another replica wrote in between (a leader hand-over), this one merges (its own changes since its last write win)
/// and writes again.
/// </remarks>
public sealed class HostFactsStore(IObjectStore store, StateSealKey key, ILogger<HostFactsStore> logger) : IDisposable
{
    public const string ObjectKey = "state/host-facts.json";
    public static readonly TimeSpan FlushInterval = TimeSpan.FromSeconds(10);
    private const int Format = 1;

    private readonly ConcurrentDictionary<string, HostFacts> _facts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _changed = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _writing = new(1, 1);
    private string? _etag;

    /// <summary>The host's facts; <see cref="HostFacts.None"/> when the controller has confirmed nothing on it.</summary>
    public HostFacts Get(string instanceId) => _facts.TryGetValue(instanceId, out var facts) ? facts : HostFacts.None;

    public int Count => _facts.Count;

    /// <summary>Applies a change the controller saw confirmed (or concluded, for a forget); written at the next flush.</summary>
    public void Apply(string instanceId, HostFactsChange change)
    {
        if (change.IsEmpty) return;
        var after = change.ApplyTo(Get(instanceId));
        if (after.IsEmpty) _facts.TryRemove(instanceId, out _);
        else _facts[instanceId] = after;
        _changed[instanceId] = 0;
    }

    /// <summary>The instance is gone: its facts go with it.</summary>
    public void Forget(string instanceId) => Apply(instanceId, HostFactsChange.ForgetAll);

    /// <summary>
    /// Loads the <see cref="StateSealKey"/> (creating it when there is none), then replaces what is in memory with the
    /// stored object. No object: no facts. An object that does not verify or parse: an error is logged and every host
    /// is confirmed again. S3 errors propagate.
    /// </summary>
    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        await key.LoadAsync(cancellationToken);
        _facts.Clear();
        _changed.Clear();
        var stored = await store.GetAsync(ObjectKey, cancellationToken);
        _etag = stored?.ETag;
        if (stored is null) return;
        if (Read(stored.Content) is { } facts)
            foreach (var (id, fact) in facts) _facts[id] = fact;
        else
            StateLog.HostFactsRejected(logger, ObjectKey);
    }

    /// <summary>Writes the facts when something changed since the last write. S3 errors propagate (the next flush tries again).</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        if (_changed.IsEmpty) return;
        await _writing.WaitAsync(cancellationToken);
        try
        {
            for (var attempt = 0; attempt < 3; attempt++)
            {
                var changed = _changed.Keys.ToHashSet(StringComparer.Ordinal);
                foreach (var id in changed) _changed.TryRemove(id, out _);
                var content = Write(_facts);
                if (await store.PutReturningETagAsync(ObjectKey, content, _etag, cancellationToken) is { } written)
                {
                    _etag = written;
                    return;
                }
                // Someone else wrote: keep their facts except for the hosts this replica changed since its last write.
                foreach (var id in changed) _changed[id] = 0;
                var theirs = await store.GetAsync(ObjectKey, cancellationToken);
                _etag = theirs?.ETag;
                StateLog.HostFactsMerged(logger, ObjectKey);
                if (theirs is null || Read(theirs.Content) is not { } stored) continue;
                foreach (var (id, fact) in stored)
                    if (!_changed.ContainsKey(id)) _facts[id] = fact;
            }
            throw new InvalidOperationException($"{ObjectKey} kept changing under this controller's writes (another leader?); the next flush tries again");
        }
        finally
        {
            _writing.Release();
        }
    }

    public void Dispose() => _writing.Dispose();

    private Dictionary<string, HostFacts>? Read(byte[] content)
    {
        try
        {
            var document = JsonSerializer.Deserialize<Document>(content);
            if (document is null || document.Format != Format || document.Mac is null || document.Hosts is null) return null;
            var facts = document.Hosts.ToDictionary(h => h.Key, h => new HostFacts(h.Value.Config, h.Value.CertExpiry), StringComparer.Ordinal);
            return key.Verifies(Canonical(facts), Convert.FromBase64String(document.Mac)) ? facts : null;
        }
        catch (Exception e) when (e is JsonException or FormatException)
        {
            return null;
        }
    }

    private byte[] Write(IReadOnlyDictionary<string, HostFacts> facts)
    {
        var snapshot = facts.ToDictionary(StringComparer.Ordinal);
        // No order needed here: the MAC covers the canonical form, which sorts.
        var hosts = snapshot.ToDictionary(f => f.Key, f => new StoredFacts(f.Value.ConfigHash, f.Value.CertExpiry), StringComparer.Ordinal);
        return JsonSerializer.SerializeToUtf8Bytes(new Document(Format, hosts, Convert.ToBase64String(key.Mac(Canonical(snapshot)))));
    }

    /// <summary>What the MAC covers: one line per host in ordinal order, independent of how JSON spells the values.</summary>
    private static byte[] Canonical(IReadOnlyDictionary<string, HostFacts> facts)
    {
        var text = new System.Text.StringBuilder("ipsec-mesh host facts v1\n");
        foreach (var (id, fact) in facts.OrderBy(f => f.Key, StringComparer.Ordinal))
            text.Append(id).Append(' ').Append(fact.ConfigHash).Append(' ').Append(fact.CertExpiry?.UtcTicks).Append('\n');
        return System.Text.Encoding.UTF8.GetBytes(text.ToString());
    }

    private sealed record Document(int Format, Dictionary<string, StoredFacts>? Hosts, string? Mac);

    private sealed record StoredFacts(string? Config, DateTimeOffset? CertExpiry);
}
