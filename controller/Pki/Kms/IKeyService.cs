namespace IpsecMesh.Pki.Kms;

/// <summary>The KMS operations the mesh PKI needs; every symmetric operation is bound to an encryption context.</summary>
public interface IKeyService
{
    Task<DataKey> GenerateDataKeyAsync(string keyId, IReadOnlyDictionary<string, string> encryptionContext, CancellationToken cancellationToken);

    /// <exception cref="KeyServiceException">The blob was not made with this key and context.</exception>
    Task<byte[]> DecryptAsync(string keyId, byte[] ciphertextBlob, IReadOnlyDictionary<string, string> encryptionContext, CancellationToken cancellationToken);

    Task<byte[]> EncryptAsync(string keyId, byte[] plaintext, IReadOnlyDictionary<string, string> encryptionContext, CancellationToken cancellationToken);

    Task<byte[]> GenerateRandomAsync(int byteCount, CancellationToken cancellationToken);

    /// <returns>The signature as X.509 carries it: DER ECDSA-Sig-Value, or the raw RSA PKCS#1 v1.5 signature.</returns>
    Task<byte[]> SignDigestAsync(string keyId, byte[] digest, KmsSigningAlgorithm algorithm, CancellationToken cancellationToken);

    /// <returns>The DER SubjectPublicKeyInfo of an asymmetric key.</returns>
    Task<byte[]> GetPublicKeyAsync(string keyId, CancellationToken cancellationToken);
}
