using IpsecMesh.Pki.Storage;

namespace IpsecMesh.Pki.Tests.Support;

/// <summary>Counts reads and listings, to prove which calls a component makes.</summary>
public sealed class CountingObjectStore(IObjectStore inner) : IObjectStore
{
    private int _gets;
    private int _lists;

    public int Gets => _gets;

    public int Lists => _lists;

    public void Reset()
    {
        _gets = 0;
        _lists = 0;
    }

    public Task<StoredObject?> GetAsync(string key, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _gets);
        return inner.GetAsync(key, cancellationToken);
    }

    public Task PutAsync(string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken) => inner.PutAsync(key, content, cancellationToken);

    public Task<bool> PutIfAbsentAsync(string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken) => inner.PutIfAbsentAsync(key, content, cancellationToken);

    public Task<string?> PutReturningETagAsync(string key, ReadOnlyMemory<byte> content, string? ifMatch, CancellationToken cancellationToken) =>
        inner.PutReturningETagAsync(key, content, ifMatch, cancellationToken);

    public Task<bool> PutIfMatchAsync(string key, ReadOnlyMemory<byte> content, string etag, CancellationToken cancellationToken) =>
        inner.PutIfMatchAsync(key, content, etag, cancellationToken);

    public IAsyncEnumerable<ObjectListing> ListAsync(string prefix, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _lists);
        return inner.ListAsync(prefix, cancellationToken);
    }

    public Task DeleteAsync(string key, CancellationToken cancellationToken) => inner.DeleteAsync(key, cancellationToken);
}
