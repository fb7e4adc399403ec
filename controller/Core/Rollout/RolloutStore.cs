using System.Security.Cryptography;
using System.Text.Json;
using IpsecMesh.Core.State;
using IpsecMesh.HostAgent.Policy;
using IpsecMesh.Pki;
using IpsecMesh.Pki.Storage;

namespace IpsecMesh.Core.Rollout;

/// <summary>
/// Keeps the <see cref="RolloutState"/> at <c>state/rollout.json</c>, with both configs' files, so a
/// restarted controller (or a new leader) neither forgets the last good config nor restarts a
/// roll-out past its canaries. The object carries an HMAC-SHA256 under the state seal key: a copy
/// written by anyone else does not verify and is ignored (and reported).
/// </summary>
public sealed class RolloutStore(IObjectStore store, StateSealKey key)
{
    public const string ObjectKey = "state/rollout.json";
    private const int Format = 1;

    /// <returns>The stored state, <see cref="RolloutState.Empty"/> when there is none, or null when one exists but does not verify or load.</returns>
    public async Task<RolloutState?> LoadAsync(CancellationToken cancellationToken)
    {
        if (await store.GetAsync(ObjectKey, cancellationToken) is not { } stored) return RolloutState.Empty;
        try
        {
            var document = JsonSerializer.Deserialize<Document>(stored.Content);
            if (document is null || document.Format != Format || document.Mac is null) return null;
            if (!CryptographicOperations.FixedTimeEquals(Convert.FromBase64String(document.Mac), Mac(document))) return null;
            return new RolloutState(Generation(document.LastGood), Generation(document.Target), document.Wave, document.WaveStartedAt,
                document.WaveCompletedAt, document.Stopped is { } s ? new RolloutStop(s.InstanceId, s.Reason, s.At) : null);
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException)
        {
            return null;
        }
    }

    public Task SaveAsync(RolloutState state, CancellationToken cancellationToken)
    {
        var document = new Document(Format, Stored(state.LastGood), Stored(state.Target), state.Wave, state.WaveStartedAt, state.WaveCompletedAt,
            state.Stopped is { } s ? new StoredStop(s.InstanceId, s.Reason, s.At) : null, null);
        document = document with { Mac = Convert.ToBase64String(Mac(document)) };
        return store.PutAsync(ObjectKey, JsonSerializer.SerializeToUtf8Bytes(document), cancellationToken);
    }

    private byte[] Mac(Document document) => key.Mac(JsonSerializer.SerializeToUtf8Bytes(document with { Mac = null }));

    private static StoredGeneration? Stored(ConfigGeneration? generation) => generation is null ? null
        : new StoredGeneration(new SortedDictionary<string, string>(generation.Policy.ToFiles().ToDictionary(), StringComparer.Ordinal),
            generation.Bundle.BundleId, generation.Bundle.Pem, [.. generation.Bundle.CaIds]);

    private static ConfigGeneration? Generation(StoredGeneration? stored)
    {
        if (stored is null) return null;
        var loaded = MeshPolicy.Load(stored.Policy, ObjectKey);
        var policy = loaded.Policy ?? throw new InvalidOperationException($"{ObjectKey} holds a policy that no longer validates: {string.Join("; ", loaded.Errors)}");
        return new ConfigGeneration(policy, new TrustBundle(stored.BundleId, stored.BundlePem, stored.CaIds));
    }

    private sealed record Document(int Format, StoredGeneration? LastGood, StoredGeneration? Target, int Wave, DateTimeOffset WaveStartedAt,
        DateTimeOffset? WaveCompletedAt, StoredStop? Stopped, string? Mac);

    private sealed record StoredGeneration(SortedDictionary<string, string> Policy, string BundleId, string BundlePem, string[] CaIds);

    private sealed record StoredStop(string InstanceId, string Reason, DateTimeOffset At);
}
