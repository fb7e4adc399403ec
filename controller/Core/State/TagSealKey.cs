using System.Security.Cryptography;
using IpsecMesh.Pki.Storage;

namespace IpsecMesh.Core.State;

/// <summary>
/// The secret that seals the controller-owned tags (<see cref="TagSeal"/>): 32 random bytes kept
/// at <c>ca/tag-seal.key</c>, the prefix only the controller and the operators may read, so that
/// replicas and restarts share it. Created by the first leader that finds none (a conditional
/// write: two replicas starting at once end up with the same key).
/// </summary>
public sealed class TagSealKey(IObjectStore store)
{
    public const string ObjectKey = "ca/tag-seal.key";
    private const int KeyBytes = 32;
    private byte[]? _key;

    public bool IsLoaded => _key is not null;

    public byte[] Bytes => _key ?? throw new InvalidOperationException("the tag seal key is not loaded yet");

    /// <returns>Whether the key is loaded: always true, or an exception, unless <paramref name="createIfMissing"/> is false and there is none (read-only callers such as <c>status</c>).</returns>
    public async Task<bool> LoadAsync(CancellationToken cancellationToken, bool createIfMissing = true)
    {
        for (var attempt = 0; attempt < 3; attempt++)
        {
            if (await store.GetAsync(ObjectKey, cancellationToken) is { } stored)
            {
                _key = stored.Content.Length == KeyBytes
                    ? stored.Content.ToArray()
                    : throw new InvalidOperationException($"{ObjectKey} holds {stored.Content.Length} bytes, not a {KeyBytes}-byte key; delete it to make a new one (every controller tag is then re-verified with the hosts)");
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
}
