using System.Security.Cryptography;
using IpsecMesh.Pki.Storage;

namespace IpsecMesh.Core.State;

/// <summary>
/// The secret under which the controller MACs its own state objects (<c>state/rollout.json</c>,
/// <c>state/host-facts.json</c>): 32 random bytes at <c>ca/tag-seal.key</c> (named for its first use, sealing tags;
/// kept so that existing deployments keep their state), in the prefix only the controller and the operators may
/// read, so that replicas and restarts share it. Created by the first leader that finds none (a conditional write:
/// two replicas starting at once end up with the same key).
/// </summary>
public sealed class StateSealKey(IObjectStore store)
{
    public const string ObjectKey = "ca/tag-seal.key";
    private const int KeyBytes = 32;
    private byte[]? _key;

    public bool IsLoaded => _key is not null;

    public byte[] Bytes => _key ?? throw new InvalidOperationException("the state seal key is not loaded yet");

    /// <returns>Whether the key is loaded: always true, or an exception, unless <paramref name="createIfMissing"/> is false and there is none (read-only callers such as <c>status</c>).</returns>
    public async Task<bool> LoadAsync(CancellationToken cancellationToken, bool createIfMissing = true)
    {
        for (var attempt = 0; attempt < 3; attempt++)
        {
            if (await store.GetAsync(ObjectKey, cancellationToken) is { } stored)
            {
                _key = stored.Content.Length == KeyBytes
                    ? stored.Content.ToArray()
                    : throw new InvalidOperationException($"{ObjectKey} holds {stored.Content.Length} bytes, not a {KeyBytes}-byte key; delete it to make a new one (the roll-out state and host facts are then re-learnt from the hosts)");
                return true;
            }
            if (!createIfMissing) return false;
            var fresh = RandomNumberGenerator.GetBytes(KeyBytes);
            if (await store.PutIfAbsentAsync(ObjectKey, fresh, cancellationToken))
            {
                _key = fresh;
                return true;
            }
        }
        throw new InvalidOperationException($"could not create or read {ObjectKey}");
    }

    /// <summary>HMAC-SHA256 of <paramref name="content"/> under the key.</summary>
    public byte[] Mac(ReadOnlySpan<byte> content) => HMACSHA256.HashData(Bytes, content);

    /// <summary>Whether <paramref name="mac"/> is the MAC of <paramref name="content"/> (constant time).</summary>
    public bool Verifies(ReadOnlySpan<byte> content, ReadOnlySpan<byte> mac) => CryptographicOperations.FixedTimeEquals(Mac(content), mac);
}
