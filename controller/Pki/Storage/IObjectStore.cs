namespace IpsecMesh.Pki.Storage;

/// <summary>
/// The narrow slice of an object store (S3) the mesh needs: plain and conditional writes,
/// reads with an entity tag, and paginated listing by prefix.
/// </summary>
public interface IObjectStore
{
    /// <returns>The object and its entity tag, or null when the key does not exist.</returns>
    Task<StoredObject?> GetAsync(string key, CancellationToken cancellationToken);

    Task PutAsync(string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken);

    /// <returns>False when an object already exists under the key.</returns>
    Task<bool> PutIfAbsentAsync(string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken);

    /// <returns>False when the object's current entity tag differs from <paramref name="etag"/>.</returns>
    Task<bool> PutIfMatchAsync(string key, ReadOnlyMemory<byte> content, string etag, CancellationToken cancellationToken);

    /// <summary>A write on condition: <paramref name="ifMatch"/> null, only when no object exists (If-None-Match: *); else only over that entity tag (If-Match).</summary>
    /// <returns>The written object's entity tag, or null when the condition did not hold.</returns>
    Task<string?> PutReturningETagAsync(string key, ReadOnlyMemory<byte> content, string? ifMatch, CancellationToken cancellationToken);

    IAsyncEnumerable<ObjectListing> ListAsync(string prefix, CancellationToken cancellationToken);

    Task DeleteAsync(string key, CancellationToken cancellationToken);
}
