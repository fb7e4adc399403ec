using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;

namespace IpsecMesh.Pki.Kms;

/// <summary><see cref="IKeyService"/> over AWS KMS.</summary>
public sealed class KmsKeyService(IAmazonKeyManagementService kms) : IKeyService
{
    public async Task<DataKey> GenerateDataKeyAsync(string keyId, IReadOnlyDictionary<string, string> encryptionContext, CancellationToken cancellationToken)
    {
        var response = await kms.GenerateDataKeyAsync(
            new GenerateDataKeyRequest { KeyId = keyId, KeySpec = DataKeySpec.AES_256, EncryptionContext = new Dictionary<string, string>(encryptionContext) },
            cancellationToken);
        return new DataKey(response.Plaintext.ToArray(), response.CiphertextBlob.ToArray());
    }

    public async Task<byte[]> DecryptAsync(string keyId, byte[] ciphertextBlob, IReadOnlyDictionary<string, string> encryptionContext, CancellationToken cancellationToken)
    {
        try
        {
            var response = await kms.DecryptAsync(
                new DecryptRequest { KeyId = keyId, CiphertextBlob = new MemoryStream(ciphertextBlob), EncryptionContext = new Dictionary<string, string>(encryptionContext) },
                cancellationToken);
            return response.Plaintext.ToArray();
        }
        catch (Exception error) when (error is InvalidCiphertextException or IncorrectKeyException)
        {
            throw new KeyServiceException($"KMS refused to decrypt with key {keyId} and the given encryption context", error);
        }
    }

    public async Task<byte[]> EncryptAsync(string keyId, byte[] plaintext, IReadOnlyDictionary<string, string> encryptionContext, CancellationToken cancellationToken)
    {
        var response = await kms.EncryptAsync(
            new EncryptRequest { KeyId = keyId, Plaintext = new MemoryStream(plaintext), EncryptionContext = new Dictionary<string, string>(encryptionContext) },
            cancellationToken);
        return response.CiphertextBlob.ToArray();
    }

    public async Task<byte[]> GenerateRandomAsync(int byteCount, CancellationToken cancellationToken)
    {
        var response = await kms.GenerateRandomAsync(new GenerateRandomRequest { NumberOfBytes = byteCount }, cancellationToken);
        return response.Plaintext.ToArray();
    }

    public async Task<byte[]> SignDigestAsync(string keyId, byte[] digest, KmsSigningAlgorithm algorithm, CancellationToken cancellationToken)
    {
        var response = await kms.SignAsync(
            new SignRequest
            {
                KeyId = keyId,
                Message = new MemoryStream(digest),
                MessageType = MessageType.DIGEST,
                SigningAlgorithm = ToSpec(algorithm),
            },
            cancellationToken);
        return response.Signature.ToArray();
    }

    public async Task<byte[]> GetPublicKeyAsync(string keyId, CancellationToken cancellationToken)
    {
        var response = await kms.GetPublicKeyAsync(new GetPublicKeyRequest { KeyId = keyId }, cancellationToken);
        return response.PublicKey.ToArray();
    }

    private static SigningAlgorithmSpec ToSpec(KmsSigningAlgorithm algorithm) => algorithm switch
    {
        KmsSigningAlgorithm.EcdsaSha256 => SigningAlgorithmSpec.ECDSA_SHA_256,
        KmsSigningAlgorithm.EcdsaSha384 => SigningAlgorithmSpec.ECDSA_SHA_384,
        KmsSigningAlgorithm.RsaPkcs1Sha256 => SigningAlgorithmSpec.RSASSA_PKCS1_V1_5_SHA_256,
        KmsSigningAlgorithm.RsaPkcs1Sha384 => SigningAlgorithmSpec.RSASSA_PKCS1_V1_5_SHA_384,
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "unknown signing algorithm"),
    };
}
