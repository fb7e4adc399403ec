using System.Security.Cryptography;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Microsoft.Extensions.Time.Testing;

namespace IpsecMesh.Simulator.Tests;

public class KmsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The context the stack's host key policy requires: the instance by id and by ARN, nothing else.</summary>
    private static Dictionary<string, string> HostContext(string instanceId, string? instanceArn = null) => new()
    {
        ["InstanceId"] = instanceId,
        ["InstanceArn"] = instanceArn ?? $"arn:aws:ec2:us-east-1:123456789012:instance/{instanceId}",
    };

    [Fact]
    public async Task Decrypt_returns_the_plaintext_under_the_same_encryption_context()
    {
        await using var aws = new SimulatedAws(SimulatorOptions.Default, new FakeTimeProvider());
        using var clients = new Clients(aws);
        var context = HostContext("i-0abc");

        var encrypted = await clients.Kms.EncryptAsync(new EncryptRequest { KeyId = aws.HostKeyId, Plaintext = new MemoryStream([1, 2, 3]), EncryptionContext = context }, Ct);
        var decrypted = await clients.Kms.DecryptAsync(new DecryptRequest { CiphertextBlob = encrypted.CiphertextBlob, EncryptionContext = context }, Ct);

        Assert.Equal(new byte[] { 1, 2, 3 }, decrypted.Plaintext.ToArray());
        Assert.EndsWith(aws.HostKeyId, decrypted.KeyId, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Decrypt_with_another_encryption_context_is_InvalidCiphertextException()
    {
        await using var aws = new SimulatedAws(SimulatorOptions.Default, new FakeTimeProvider());
        using var clients = new Clients(aws);

        var encrypted = await clients.Kms.EncryptAsync(new EncryptRequest
        {
            KeyId = aws.HostKeyId,
            Plaintext = new MemoryStream([9]),
            EncryptionContext = HostContext("i-0aaa"),
        }, Ct);

        var error = await Assert.ThrowsAsync<InvalidCiphertextException>(() => clients.Kms.DecryptAsync(new DecryptRequest
        {
            CiphertextBlob = encrypted.CiphertextBlob,
            EncryptionContext = HostContext("i-0bbb"),
        }, Ct));
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, error.StatusCode);
    }

    [Theory]
    [InlineData("InstanceId")]
    [InlineData("InstanceArn")]
    [InlineData("InstanceId", "InstanceArn", "Purpose")]
    public async Task The_host_key_encrypts_only_with_exactly_InstanceId_and_InstanceArn(params string[] keys)
    {
        await using var aws = new SimulatedAws(SimulatorOptions.Default, new FakeTimeProvider());
        using var clients = new Clients(aws);
        var context = keys.ToDictionary(k => k, k => k == "InstanceArn" ? "arn:aws:ec2:us-east-1:123456789012:instance/i-0abc" : "i-0abc");

        var encrypt = await Assert.ThrowsAsync<AmazonKeyManagementServiceException>(() => clients.Kms.EncryptAsync(
            new EncryptRequest { KeyId = aws.HostKeyId, Plaintext = new MemoryStream([1]), EncryptionContext = context }, Ct));
        var dataKey = await Assert.ThrowsAsync<AmazonKeyManagementServiceException>(() => clients.Kms.GenerateDataKeyAsync(
            new GenerateDataKeyRequest { KeyId = "alias/ipsec-mesh-host", KeySpec = DataKeySpec.AES_256, EncryptionContext = context }, Ct));

        Assert.Equal("AccessDeniedException", encrypt.ErrorCode);
        Assert.Equal("AccessDeniedException", dataKey.ErrorCode);
    }

    [Fact]
    public async Task An_instance_decrypts_only_a_secret_whose_context_carries_its_own_arn()
    {
        await using var aws = new SimulatedAws(SimulatorOptions.Default, new FakeTimeProvider());
        var mine = aws.Fleet.Launch(new InstanceSpec());
        var other = aws.Fleet.Launch(new InstanceSpec());
        var context = HostContext(mine.InstanceId, mine.Arn);
        var sealedSecret = aws.Kms.Encrypt(aws.HostKeyId, [4, 2], context);
        var caSecret = aws.Kms.Encrypt(aws.CaKeyId, [7], context);

        var own = aws.Kms.DecryptAsInstance(sealedSecret, context, mine.Arn);
        // What the agent sent before the context carried the ARN: the key policy has nothing to compare.
        var idOnly = Assert.Throws<AwsServiceException>(() =>
            aws.Kms.DecryptAsInstance(sealedSecret, new Dictionary<string, string> { ["InstanceId"] = mine.InstanceId }, mine.Arn));
        var borrowed = Assert.Throws<AwsServiceException>(() => aws.Kms.DecryptAsInstance(sealedSecret, context, other.Arn));
        var ownContextOtherSecret = Assert.Throws<AwsServiceException>(() =>
            aws.Kms.DecryptAsInstance(sealedSecret, HostContext(other.InstanceId, other.Arn), other.Arn));
        var notTheHostKey = Assert.Throws<AwsServiceException>(() => aws.Kms.DecryptAsInstance(caSecret, context, mine.Arn));

        Assert.Equal(new byte[] { 4, 2 }, own);
        Assert.Equal("AccessDeniedException", idOnly.Code);
        Assert.Equal("AccessDeniedException", borrowed.Code);
        Assert.Equal("InvalidCiphertextException", ownContextOtherSecret.Code);
        Assert.Equal("AccessDeniedException", notTheHostKey.Code);
        Assert.Equal($"arn:aws:ec2:us-east-1:123456789012:instance/{mine.InstanceId}", mine.Arn);
    }

    [Fact]
    public async Task GenerateDataKey_ciphertext_decrypts_to_its_plaintext_and_GenerateRandom_gives_the_asked_length()
    {
        await using var aws = new SimulatedAws(SimulatorOptions.Default, new FakeTimeProvider());
        using var clients = new Clients(aws);
        var context = new Dictionary<string, string> { ["purpose"] = "ca-key" };

        var dataKey = await clients.Kms.GenerateDataKeyAsync(new GenerateDataKeyRequest { KeyId = "alias/ipsec-mesh-ca", KeySpec = DataKeySpec.AES_256, EncryptionContext = context }, Ct);
        var decrypted = await clients.Kms.DecryptAsync(new DecryptRequest { CiphertextBlob = dataKey.CiphertextBlob, EncryptionContext = context }, Ct);
        var random = await clients.Kms.GenerateRandomAsync(new GenerateRandomRequest { NumberOfBytes = 128 }, Ct);

        Assert.Equal(32, dataKey.Plaintext.Length);
        Assert.Equal(dataKey.Plaintext.ToArray(), decrypted.Plaintext.ToArray());
        Assert.Equal(128, random.Plaintext.Length);
    }

    [Fact]
    public async Task Ecc_P384_key_signs_DER_ECDSA_that_its_public_key_verifies()
    {
        await using var aws = new SimulatedAws(SimulatorOptions.Default, new FakeTimeProvider());
        using var clients = new Clients(aws);
        var message = "to be signed"u8.ToArray();

        var created = await clients.Kms.CreateKeyAsync(new CreateKeyRequest { KeySpec = KeySpec.ECC_NIST_P384, KeyUsage = KeyUsageType.SIGN_VERIFY }, Ct);
        var signed = await clients.Kms.SignAsync(new SignRequest
        {
            KeyId = created.KeyMetadata.KeyId,
            Message = new MemoryStream(message),
            MessageType = MessageType.RAW,
            SigningAlgorithm = SigningAlgorithmSpec.ECDSA_SHA_384,
        }, Ct);
        var publicKey = await clients.Kms.GetPublicKeyAsync(new GetPublicKeyRequest { KeyId = created.KeyMetadata.Arn }, Ct);

        using var ecdsa = ECDsa.Create();
        ecdsa.ImportSubjectPublicKeyInfo(publicKey.PublicKey.ToArray(), out _);
        Assert.True(ecdsa.VerifyData(message, signed.Signature.ToArray(), HashAlgorithmName.SHA384, DSASignatureFormat.Rfc3279DerSequence));
        Assert.Equal(KeySpec.ECC_NIST_P384, publicKey.KeySpec);
    }

    [Fact]
    public async Task Rsa_key_signs_PKCS1_that_its_public_key_verifies()
    {
        await using var aws = new SimulatedAws(SimulatorOptions.Default, new FakeTimeProvider());
        using var clients = new Clients(aws);
        var digest = SHA256.HashData("tbs"u8);

        var created = await clients.Kms.CreateKeyAsync(new CreateKeyRequest { KeySpec = KeySpec.RSA_2048, KeyUsage = KeyUsageType.SIGN_VERIFY }, Ct);
        var signed = await clients.Kms.SignAsync(new SignRequest
        {
            KeyId = created.KeyMetadata.KeyId,
            Message = new MemoryStream(digest),
            MessageType = MessageType.DIGEST,
            SigningAlgorithm = SigningAlgorithmSpec.RSASSA_PKCS1_V1_5_SHA_256,
        }, Ct);
        var publicKey = await clients.Kms.GetPublicKeyAsync(new GetPublicKeyRequest { KeyId = created.KeyMetadata.KeyId }, Ct);

        using var rsa = RSA.Create();
        rsa.ImportSubjectPublicKeyInfo(publicKey.PublicKey.ToArray(), out _);
        Assert.True(rsa.VerifyHash(digest, signed.Signature.ToArray(), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
    }

    [Fact]
    public async Task Signing_with_a_symmetric_key_is_InvalidKeyUsageException()
    {
        await using var aws = new SimulatedAws(SimulatorOptions.Default, new FakeTimeProvider());
        using var clients = new Clients(aws);

        await Assert.ThrowsAsync<InvalidKeyUsageException>(() => clients.Kms.SignAsync(new SignRequest
        {
            KeyId = aws.CaKeyId,
            Message = new MemoryStream([1]),
            SigningAlgorithm = SigningAlgorithmSpec.ECDSA_SHA_384,
        }, Ct));
    }
}
