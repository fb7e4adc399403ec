using System.Net;
using System.Text;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.Time.Testing;

namespace IpsecMesh.Simulator.Tests;

public class S3Tests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Put_get_head_and_delete_round_trip_with_etags()
    {
        await using var aws = new SimulatedAws(SimulatorOptions.Default, new FakeTimeProvider());
        using var clients = new Clients(aws);

        var put = await clients.S3.PutObjectAsync(new PutObjectRequest { BucketName = aws.BucketName, Key = "ca/ca.pem", ContentBody = "PEM" }, Ct);
        using var get = await clients.S3.GetObjectAsync(aws.BucketName, "ca/ca.pem", Ct);
        using var reader = new StreamReader(get.ResponseStream);
        var body = await reader.ReadToEndAsync(Ct);
        var head = await clients.S3.GetObjectMetadataAsync(aws.BucketName, "ca/ca.pem", Ct);
        await clients.S3.DeleteObjectAsync(aws.BucketName, "ca/ca.pem", Ct);

        Assert.Equal("PEM", body);
        Assert.Equal(put.ETag, get.ETag);
        Assert.Equal(put.ETag, head.ETag);
        Assert.Equal(3, head.ContentLength);
        Assert.Null(aws.ReadObject("ca/ca.pem"));
        var missing = await Assert.ThrowsAsync<NoSuchKeyException>(() => clients.S3.GetObjectAsync(aws.BucketName, "ca/ca.pem", Ct));
        Assert.Equal("NoSuchKey", missing.ErrorCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Put_with_IfNoneMatch_star_on_an_existing_key_is_412_PreconditionFailed()
    {
        await using var aws = new SimulatedAws(SimulatorOptions.Default, new FakeTimeProvider());
        using var clients = new Clients(aws);
        await clients.S3.PutObjectAsync(new PutObjectRequest { BucketName = aws.BucketName, Key = "leader/lease.json", ContentBody = "first", IfNoneMatch = "*" }, Ct);

        var error = await Assert.ThrowsAsync<AmazonS3Exception>(() =>
            clients.S3.PutObjectAsync(new PutObjectRequest { BucketName = aws.BucketName, Key = "leader/lease.json", ContentBody = "second", IfNoneMatch = "*" }, Ct));

        Assert.Equal(HttpStatusCode.PreconditionFailed, error.StatusCode);
        Assert.Equal("PreconditionFailed", error.ErrorCode);
        Assert.Equal("first", Encoding.UTF8.GetString(aws.ReadObject("leader/lease.json")!));
    }

    [Fact]
    public async Task Put_with_a_stale_IfMatch_etag_is_412_and_with_the_current_one_succeeds()
    {
        await using var aws = new SimulatedAws(SimulatorOptions.Default, new FakeTimeProvider());
        using var clients = new Clients(aws);
        var first = await clients.S3.PutObjectAsync(new PutObjectRequest { BucketName = aws.BucketName, Key = "k", ContentBody = "v1" }, Ct);
        var second = await clients.S3.PutObjectAsync(new PutObjectRequest { BucketName = aws.BucketName, Key = "k", ContentBody = "v2", IfMatch = first.ETag }, Ct);

        var error = await Assert.ThrowsAsync<AmazonS3Exception>(() =>
            clients.S3.PutObjectAsync(new PutObjectRequest { BucketName = aws.BucketName, Key = "k", ContentBody = "v3", IfMatch = first.ETag }, Ct));

        Assert.Equal(HttpStatusCode.PreconditionFailed, error.StatusCode);
        Assert.NotEqual(first.ETag, second.ETag);
        Assert.Equal("v2", Encoding.UTF8.GetString(aws.ReadObject("k")!));
    }

    [Fact]
    public async Task ListObjectsV2_pages_with_continuation_tokens_and_groups_by_delimiter()
    {
        await using var aws = new SimulatedAws(SimulatorOptions.Default, new FakeTimeProvider());
        using var clients = new Clients(aws);
        foreach (var key in new[] { "issued/a.pem", "issued/b.pem", "issued/c.pem", "issued/old/d.pem", "config/x" })
            await clients.S3.PutObjectAsync(new PutObjectRequest { BucketName = aws.BucketName, Key = key, ContentBody = key }, Ct);

        var keys = new List<string>();
        var request = new ListObjectsV2Request { BucketName = aws.BucketName, Prefix = "issued/", MaxKeys = 2 };
        var pages = 0;
        ListObjectsV2Response page;
        do
        {
            page = await clients.S3.ListObjectsV2Async(request, Ct);
            keys.AddRange((page.S3Objects ?? []).Select(o => o.Key));
            request.ContinuationToken = page.NextContinuationToken;
            pages++;
        }
        while (page.IsTruncated == true);
        var grouped = await clients.S3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = aws.BucketName, Prefix = "issued/", Delimiter = "/" }, Ct);

        Assert.Equal(["issued/a.pem", "issued/b.pem", "issued/c.pem", "issued/old/d.pem"], keys);
        Assert.Equal(2, pages);
        Assert.Equal(["issued/a.pem", "issued/b.pem", "issued/c.pem"], grouped.S3Objects.Select(o => o.Key));
        Assert.Equal(["issued/old/"], grouped.CommonPrefixes);
    }
}
