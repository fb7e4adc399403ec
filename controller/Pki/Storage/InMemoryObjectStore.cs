using System.Runtime.CompilerServices;

namespace IpsecMesh.Pki.Storage;

/// <summary>An object store in process memory with S3's conditional-write semantics.</summary>
public sealed class InMemoryObjectStore(TimeProvider timeProvider) : IObjectStore
{
    private readonly Lock _gate = new();
    private long _version;
    private readonly SortedDictionary<string, Entry> _objects = new(StringComparer.Ordinal);

    public InMemoryObjectStore()
        : this(TimeProvider.System)
    {
    }

    public IReadOnlyCollection<string> Keys
    {
        get
        {
            lock (_gate)
            {
                return [.. _objects.Keys];
            }
        }
    }

    public Task<StoredObject?> GetAsync(string key, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_objects.TryGetValue(key, out var entry)
                ? new StoredObject([.. entry.Content], entry.ETag)
                : null);
        }
    }

    public Task PutAsync(string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _objects[key] = NewEntry(content);
        }

        return Task.CompletedTask;
    }

    public Task<bool> PutIfAbsentAsync(string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_objects.TryAdd(key, NewEntry(content)));
        }
    }

    public Task<bool> PutIfMatchAsync(string key, ReadOnlyMemory<byte> content, string etag, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (!_objects.TryGetValue(key, out var entry) || entry.ETag != etag)
            {
                return Task.FromResult(false);
            }

            _objects[key] = NewEntry(content);
            return Task.FromResult(true);
        }
    }

    public Task<string?> PutReturningETagAsync(string key, ReadOnlyMemory<byte> content, string? ifMatch, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var exists = _objects.TryGetValue(key, out var entry);
            if (ifMatch is null ? exists : !exists || entry!.ETag != ifMatch) return Task.FromResult<string?>(null);
            var written = NewEntry(content);
            _objects[key] = written;
            return Task.FromResult<string?>(written.ETag);
        }
    }

    public async IAsyncEnumerable<ObjectListing> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        List<ObjectListing> snapshot;
        lock (_gate)
        {
            snapshot = [.. _objects
                .Where(pair => pair.Key.StartsWith(prefix, StringComparison.Ordinal))
                .Select(pair => new ObjectListing(pair.Key, pair.Value.Content.Length, pair.Value.LastModified, pair.Value.ETag))];
        }

        foreach (var listing in snapshot)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return listing;
        }

        await Task.CompletedTask;
    }

    public Task DeleteAsync(string key, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _objects.Remove(key);
        }

        return Task.CompletedTask;
    }

    private Entry NewEntry(ReadOnlyMemory<byte> content)
    {
        // A fresh tag per write, so a rewrite with identical bytes still fails a stale If-Match.
        _version++;
        return new Entry(content.ToArray(), $"\"v{_version}\"", timeProvider.GetUtcNow());
    }

    private sealed record Entry(byte[] Content, string ETag, DateTimeOffset LastModified);
}
