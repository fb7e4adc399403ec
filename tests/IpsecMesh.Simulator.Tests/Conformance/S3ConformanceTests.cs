using System.Net;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.Time.Testing;

namespace IpsecMesh.Simulator.Tests.Conformance;

/// <summary>The S3 discrepancies of issue 16, each fixed and pinned here.</summary>
public class S3ConformanceTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_key_with_a_literal_percent_escape_is_decoded_once_over_the_loopback_endpoint()
    {
        await using var aws = new SimulatedAws(SimulatorOptions.Default, new FakeTimeProvider());
        var endpoint = await aws.ListenAsync(cancellationToken: Ct);
        using var s3 = new AmazonS3Client(new BasicAWSCredentials("AKID", "x"),
            new AmazonS3Config { ServiceURL = endpoint.ToString(), ForcePathStyle = true, AuthenticationRegion = aws.Region });

        await s3.PutObjectAsync(new PutObjectRequest { BucketName = aws.BucketName, Key = "pct%41key", ContentBody = "x" }, Ct);
        var listed = await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = aws.BucketName }, Ct);
        using var got = await s3.GetObjectAsync(aws.BucketName, "pct%41key", Ct);

        Assert.Equal(["pct%41key"], aws.ListKeys());
        Assert.Equal(["pct%41key"], listed.S3Objects.Select(o => o.Key));
        Assert.Equal(HttpStatusCode.OK, got.HttpStatusCode);
    }

    [Fact]
    public async Task A_range_get_answers_206_with_the_range()
    {
        await using var aws = new SimulatedAws(SimulatorOptions.Default, new FakeTimeProvider());
        using var clients = new Clients(aws);
        await clients.S3.PutObjectAsync(new PutObjectRequest { BucketName = aws.BucketName, Key = "digits", ContentBody = "0123456789" }, Ct);

        using var middle = await clients.S3.GetObjectAsync(new GetObjectRequest { BucketName = aws.BucketName, Key = "digits", ByteRange = new ByteRange(2, 5) }, Ct);
        using var reader = new StreamReader(middle.ResponseStream);
        var body = await reader.ReadToEndAsync(Ct);
        var beyond = await Assert.ThrowsAsync<AmazonS3Exception>(() =>
            clients.S3.GetObjectAsync(new GetObjectRequest { BucketName = aws.BucketName, Key = "digits", ByteRange = new ByteRange(20, 30) }, Ct));

        Assert.Equal(HttpStatusCode.PartialContent, middle.HttpStatusCode);
        Assert.Equal("2345", body);
        Assert.Equal("bytes 2-5/10", middle.ContentRange);
        Assert.Equal("InvalidRange", beyond.ErrorCode);
    }

    [Fact]
    public async Task ListBuckets_and_CreateBucket_work()
    {
        await using var aws = new SimulatedAws(SimulatorOptions.Default, new FakeTimeProvider());
        using var clients = new Clients(aws);

        await clients.S3.PutBucketAsync(new PutBucketRequest { BucketName = "second-bucket" }, Ct);
        await clients.S3.PutBucketAsync(new PutBucketRequest { BucketName = "second-bucket" }, Ct);
        var buckets = await clients.S3.ListBucketsAsync(Ct);
        var invalid = await Assert.ThrowsAsync<AmazonS3Exception>(() => clients.S3.PutBucketAsync(new PutBucketRequest { BucketName = "Not_Valid" }, Ct));

        Assert.Equal([aws.BucketName, "second-bucket"], buckets.Buckets.Select(b => b.BucketName).Order(StringComparer.Ordinal));
        Assert.Equal("InvalidBucketName", invalid.ErrorCode);
    }

    [Fact]
    public async Task A_multipart_upload_assembles_its_parts_with_the_multipart_etag()
    {
        await using var aws = new SimulatedAws(SimulatorOptions.Default, new FakeTimeProvider());
        using var clients = new Clients(aws);
        var first = new byte[5 * 1024 * 1024];
        Random.Shared.NextBytes(first);
        var second = "tail"u8.ToArray();

        var upload = await clients.S3.InitiateMultipartUploadAsync(aws.BucketName, "big", Ct);
        var part1 = await clients.S3.UploadPartAsync(new UploadPartRequest { BucketName = aws.BucketName, Key = "big", UploadId = upload.UploadId, PartNumber = 1, InputStream = new MemoryStream(first) }, Ct);
        var part2 = await clients.S3.UploadPartAsync(new UploadPartRequest { BucketName = aws.BucketName, Key = "big", UploadId = upload.UploadId, PartNumber = 2, InputStream = new MemoryStream(second) }, Ct);
        var done = await clients.S3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
        {
            BucketName = aws.BucketName,
            Key = "big",
            UploadId = upload.UploadId,
            PartETags = [new PartETag(1, part1.ETag), new PartETag(2, part2.ETag)],
        }, Ct);
        var tooSmall = await clients.S3.InitiateMultipartUploadAsync(aws.BucketName, "small", Ct);
        var small1 = await clients.S3.UploadPartAsync(new UploadPartRequest { BucketName = aws.BucketName, Key = "small", UploadId = tooSmall.UploadId, PartNumber = 1, InputStream = new MemoryStream(second) }, Ct);
        var small2 = await clients.S3.UploadPartAsync(new UploadPartRequest { BucketName = aws.BucketName, Key = "small", UploadId = tooSmall.UploadId, PartNumber = 2, InputStream = new MemoryStream(second) }, Ct);
        var refused = await Assert.ThrowsAsync<AmazonS3Exception>(() => clients.S3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
        {
            BucketName = aws.BucketName, Key = "small", UploadId = tooSmall.UploadId, PartETags = [new PartETag(1, small1.ETag), new PartETag(2, small2.ETag)],
        }, Ct));

        Assert.Equal([.. first, .. second], aws.ReadObject("big")!);
        Assert.EndsWith("-2\"", done.ETag, StringComparison.Ordinal);
        Assert.Equal("EntityTooSmall", refused.ErrorCode);
        Assert.Null(aws.ReadObject("small"));
    }

    [Fact]
    public async Task Every_answer_carries_a_request_id()
    {
        await using var aws = new SimulatedAws(SimulatorOptions.Default, new FakeTimeProvider());
        using var clients = new Clients(aws);

        var s3 = await clients.S3.PutObjectAsync(new PutObjectRequest { BucketName = aws.BucketName, Key = "k", ContentBody = "v" }, Ct);
        var ec2 = await clients.Ec2.DescribeInstancesAsync(new Amazon.EC2.Model.DescribeInstancesRequest(), Ct);
        var ssm = await clients.Ssm.ListCommandsAsync(new Amazon.SimpleSystemsManagement.Model.ListCommandsRequest(), Ct);
        var kms = await clients.Kms.DescribeKeyAsync(aws.CaKeyId, Ct);
        var sqs = await clients.Sqs.GetQueueUrlAsync("ipsec-mesh-events", Ct);
        var missing = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => clients.S3.GetObjectAsync(aws.BucketName, "nope", Ct));

        Assert.All(new AmazonWebServiceResponse[] { s3, ec2, ssm, kms, sqs }, r => Assert.Matches("^[0-9a-f-]{36}$", r.ResponseMetadata.RequestId));
        Assert.Matches("^[0-9a-f-]{36}$", missing.RequestId);
    }
}
