using IpsecMesh.Pki.Storage;

namespace IpsecMesh.Integration.Tests.Leadership;

/// <summary>An object store that can be made to fail every call, or to hang until the caller gives up.</summary>
public sealed class FlakyObjectStore(IObjectStore inner) : IObjectStore
{
    public bool Failing { get; set; }
    public bool Hanging { get; set; }

    public async Task<StoredObject?> GetAsync(string key, CancellationToken cancellationToken)
    {
        await Trouble(cancellationToken);
        return await inner.GetAsync(key, cancellationToken);
    }

    public async Task PutAsync(string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        await Trouble(cancellationToken);
        await inner.PutAsync(key, content, cancellationToken);
    }

    public async Task<bool> PutIfAbsentAsync(string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        await Trouble(cancellationToken);
        return await inner.PutIfAbsentAsync(key, content, cancellationToken);
    }

    public async Task<bool> PutIfMatchAsync(string key, ReadOnlyMemory<byte> content, string etag, CancellationToken cancellationToken)
    {
        await Trouble(cancellationToken);
        return await inner.PutIfMatchAsync(key, content, etag, cancellationToken);
    }

    public async Task<string?> PutReturningETagAsync(string key, ReadOnlyMemory<byte> content, string? ifMatch, CancellationToken cancellationToken)
    {
        await Trouble(cancellationToken);
        return await inner.PutReturningETagAsync(key, content, ifMatch, cancellationToken);
    }

    public IAsyncEnumerable<ObjectListing> ListAsync(string prefix, CancellationToken cancellationToken) => inner.ListAsync(prefix, cancellationToken);

    public async Task DeleteAsync(string key, CancellationToken cancellationToken)
    {
        await Trouble(cancellationToken);
        await inner.DeleteAsync(key, cancellationToken);
    }

    private async Task Trouble(CancellationToken cancellationToken)
    {
        if (Hanging) await Task.Delay(Timeout.Infinite, cancellationToken);
        if (Failing) throw new HttpRequestException("simulated S3 outage");
    }
}
