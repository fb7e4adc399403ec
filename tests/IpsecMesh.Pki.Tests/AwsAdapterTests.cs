using System.Text;
using Amazon.KeyManagementService;
using Amazon.Runtime;
using Amazon.S3;
using IpsecMesh.Pki.Kms;
using IpsecMesh.Pki.Storage;
using IpsecMesh.Pki.Tests.Support;
using IpsecMesh.Simulator;
using IpsecMesh.Simulator.Sdk;
using Microsoft.Extensions.Time.Testing;

namespace IpsecMesh.Pki.Tests;

/// <summary>The S3 and KMS adapters through the real AWS SDK clients, against the simulated AWS wire protocols.</summary>
public sealed class AwsAdapterTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 5, 8, 0, 0, TimeSpan.Zero));
    private SimulatedAws _aws = null!;
    private AmazonS3Client _s3 = null!;
    private AmazonKeyManagementServiceClient _kms = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync()
    {
        _aws = new SimulatedAws(SimulatorOptions.Default with { Throttle = ThrottleProfile.None }, _time);
        var factory = SimulatedAwsOptions.HttpClientFactory(_aws);
        var credentials = new BasicAWSCredentials("test", "test");
        _s3 = new AmazonS3Client(credentials, new AmazonS3Config { ServiceURL = "http://s3.sim", ForcePathStyle = true, HttpClientFactory = factory });
        _kms = new AmazonKeyManagementServiceClient(credentials, new AmazonKeyManagementServiceConfig { ServiceURL = "http://kms.sim", HttpClientFactory = factory });
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        _s3.Dispose();
        _kms.Dispose();
        await _aws.DisposeAsync();
    }

    [Theory]
    [InlineData(CaKeyMode.Envelope)]
    [InlineData(CaKeyMode.KmsSigner)]
    public async Task Whole_pki_runs_on_s3_and_kms_through_the_sdk(CaKeyMode mode)
    {
        Tools.RequireInstalled("openssl");
        var caKey = mode == CaKeyMode.KmsSigner ? _aws.Kms.CreateKey(KmsKeySpec.EccNistP384, "CA signer") : "alias/ipsec-mesh-ca";
        var options = PkiFixture.DefaultOptions(CaAlgorithm.EcdsaP384, mode) with { CaKmsKeyId = caKey, HostKmsKeyId = "alias/ipsec-mesh-host" };
        var store = new S3ObjectStore(_s3, _aws.BucketName);
        using var pki = await PkiFixture.StartAsync(options, store, new KmsKeyService(_kms), _time);

        var issued = await pki.Authority.SignCsrAsync(Hosts.Csr(HostKeyType.Ecdsa), Hosts.Identity("i-0aaaa"), "enrol", Ct);
        var package = await pki.Authority.IssueWithKeyAsync(Hosts.Identity("i-0bbbb"), "enrol", Ct);
        await pki.Registry.RevokeAsync(["i-0bbbb"], "terminated", Ct);
        var current = await pki.Registry.LoadCurrentAsync(Ct);

        using var dir = new TempDirectory();
        var caFile = dir.Write("ca.pem", (await pki.Authority.GetTrustBundleAsync(Ct)).Pem);
        var verify = Tools.Run("openssl", "verify", "-attime", Tools.Epoch(_time), "-CAfile", caFile, dir.Write("host.pem", issued.CertificatePem));
        Assert.True(verify.ExitCode == 0, verify.All);
        Assert.Equal(["i-0aaaa"], current.Keys);
        var password = _aws.Kms.Decrypt(package.EncryptedPassword, Hosts.SecretContext("i-0bbbb"));
        Assert.Equal(64, password.Length);
        await Assert.ThrowsAsync<KeyServiceException>(() =>
            pki.KeyService.DecryptAsync("alias/ipsec-mesh-host", package.EncryptedPassword, Hosts.SecretContext("i-0aaaa"), Ct));
    }

    [Fact]
    public async Task Conditional_writes_answer_false_on_conflict()
    {
        var store = new S3ObjectStore(_s3, _aws.BucketName);

        Assert.True(await store.PutIfAbsentAsync("leader/lease.json", "a"u8.ToArray(), Ct));
        Assert.False(await store.PutIfAbsentAsync("leader/lease.json", "b"u8.ToArray(), Ct));
        var first = (await store.GetAsync("leader/lease.json", Ct))!;
        Assert.True(await store.PutIfMatchAsync("leader/lease.json", "c"u8.ToArray(), first.ETag, Ct));
        Assert.False(await store.PutIfMatchAsync("leader/lease.json", "d"u8.ToArray(), first.ETag, Ct));
        Assert.Equal("c", Encoding.ASCII.GetString((await store.GetAsync("leader/lease.json", Ct))!.Content));
        await store.DeleteAsync("leader/lease.json", Ct);
        Assert.Null(await store.GetAsync("leader/lease.json", Ct));
    }

    [Fact]
    public async Task Listing_follows_continuation_tokens_past_one_page()
    {
        var store = new S3ObjectStore(_s3, _aws.BucketName);
        for (var i = 0; i < 1005; i++)
        {
            await store.PutAsync($"issued/i-{i:x8}/x.pem", "x"u8.ToArray(), Ct);
        }

        await store.PutAsync("config/policy", "p"u8.ToArray(), Ct);
        var keys = new List<string>();
        await foreach (var listing in store.ListAsync("issued/", Ct))
        {
            keys.Add(listing.Key);
        }

        Assert.Equal(1005, keys.Distinct().Count());
        Assert.All(keys, key => Assert.StartsWith("issued/", key));
    }
}
