using System.Net;
using System.Runtime.CompilerServices;
using Amazon.S3;
using Amazon.S3.Model;

namespace IpsecMesh.Pki.Storage;

/// <summary>
/// <see cref="IObjectStore"/> over one S3 bucket, with conditional writes (If-None-Match / If-Match).
/// With <paramref name="kmsKeyId"/> every write asks for SSE-KMS under that key (the stack's bucket
/// policy refuses writes that do not name it).
/// </summary>
public sealed class S3ObjectStore(IAmazonS3 s3, string bucket, string? kmsKeyId = null) : IObjectStore
{
    public async Task<StoredObject?> GetAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await s3.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = key }, cancellationToken);
            using var buffer = new MemoryStream();
            await response.ResponseStream.CopyToAsync(buffer, cancellationToken);
            return new StoredObject(buffer.ToArray(), response.ETag ?? string.Empty);
        }
        catch (AmazonS3Exception error) when (error.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    public Task PutAsync(string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken) =>
        PutAsync(key, content, request => { }, cancellationToken);

    public Task<bool> PutIfAbsentAsync(string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken) =>
        PutConditionallyAsync(key, content, request => request.IfNoneMatch = "*", cancellationToken);

    public Task<bool> PutIfMatchAsync(string key, ReadOnlyMemory<byte> content, string etag, CancellationToken cancellationToken) =>
        PutConditionallyAsync(key, content, request => request.IfMatch = etag, cancellationToken);

    public async IAsyncEnumerable<ObjectListing> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var request = new ListObjectsV2Request { BucketName = bucket, Prefix = prefix };
        while (true)
        {
            var response = await s3.ListObjectsV2Async(request, cancellationToken);
            foreach (var item in response.S3Objects ?? [])
            {
                yield return new ObjectListing(
                    item.Key,
                    item.Size ?? 0,
                    item.LastModified is { } modified ? new DateTimeOffset(modified.ToUniversalTime()) : DateTimeOffset.MinValue,
                    item.ETag ?? string.Empty);
            }

            if (response.IsTruncated != true || string.IsNullOrEmpty(response.NextContinuationToken))
            {
                yield break;
            }

            request.ContinuationToken = response.NextContinuationToken;
        }
    }

    public async Task DeleteAsync(string key, CancellationToken cancellationToken) =>
        await s3.DeleteObjectAsync(new DeleteObjectRequest { BucketName = bucket, Key = key }, cancellationToken);

    public async Task<string?> PutReturningETagAsync(string key, ReadOnlyMemory<byte> content, string? ifMatch, CancellationToken cancellationToken)
    {
        try
        {
            return await PutAsync(key, content, request => { if (ifMatch is null) request.IfNoneMatch = "*"; else request.IfMatch = ifMatch; }, cancellationToken) ?? string.Empty;
        }
        catch (AmazonS3Exception error) when (error.StatusCode is HttpStatusCode.PreconditionFailed or HttpStatusCode.Conflict)
        {
            return null;
        }
    }

    private async Task<bool> PutConditionallyAsync(string key, ReadOnlyMemory<byte> content, Action<PutObjectRequest> condition, CancellationToken cancellationToken)
    {
        try
        {
            await PutAsync(key, content, condition, cancellationToken);
            return true;
        }
        catch (AmazonS3Exception error) when (error.StatusCode is HttpStatusCode.PreconditionFailed or HttpStatusCode.Conflict)
        {
            // 409 is S3's answer when a concurrent conditional write to the same key won the race.
            return false;
        }
    }

    /// <returns>The written object's entity tag.</returns>
    private async Task<string?> PutAsync(string key, ReadOnlyMemory<byte> content, Action<PutObjectRequest> condition, CancellationToken cancellationToken)
    {
        using var body = new MemoryStream(content.ToArray(), writable: false);
        var request = new PutObjectRequest { BucketName = bucket, Key = key, InputStream = body, AutoCloseStream = false };
        if (!string.IsNullOrEmpty(kmsKeyId))
        {
            request.ServerSideEncryptionMethod = ServerSideEncryptionMethod.AWSKMS;
            request.ServerSideEncryptionKeyManagementServiceKeyId = kmsKeyId;
        }
        condition(request);
        return (await s3.PutObjectAsync(request, cancellationToken)).ETag;
    }
}
