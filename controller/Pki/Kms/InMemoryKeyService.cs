using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace IpsecMesh.Pki.Kms;

/// <summary>
/// A KMS stand-in for tests and offline runs: AES-256-GCM with the encryption context as associated data,
/// so a wrong context fails exactly as KMS does; asymmetric signing keys are created explicitly.
/// </summary>
public sealed class InMemoryKeyService : IKeyService
{
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private readonly ConcurrentDictionary<string, byte[]> _symmetricKeys = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, AsymmetricAlgorithm> _signingKeys = new(StringComparer.Ordinal);

    private int _decryptCalls;

    public int DecryptCalls => Volatile.Read(ref _decryptCalls);

    public void CreateSigningKey(string keyId, CaAlgorithm algorithm) =>
        _signingKeys[keyId] = algorithm == CaAlgorithm.EcdsaP384
            ? ECDsa.Create(ECCurve.NamedCurves.nistP384)
            : RSA.Create(4096);

    /// <summary>Another name for an existing asymmetric key, as a KMS alias is.</summary>
    public void CreateAlias(string alias, string keyId) => _signingKeys[alias] = SigningKey(keyId);

    public Task<DataKey> GenerateDataKeyAsync(string keyId, IReadOnlyDictionary<string, string> encryptionContext, CancellationToken cancellationToken)
    {
        var plaintext = RandomNumberGenerator.GetBytes(32);
        return Task.FromResult(new DataKey(plaintext, Seal(keyId, plaintext, encryptionContext)));
    }

    public Task<byte[]> DecryptAsync(string keyId, byte[] ciphertextBlob, IReadOnlyDictionary<string, string> encryptionContext, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _decryptCalls);
        var keyIdBytes = Encoding.UTF8.GetBytes(keyId);
        if (ciphertextBlob.Length < 1 + keyIdBytes.Length + NonceSize + TagSize
            || ciphertextBlob[0] != keyIdBytes.Length
            || !ciphertextBlob.AsSpan(1, keyIdBytes.Length).SequenceEqual(keyIdBytes)
            || !_symmetricKeys.TryGetValue(keyId, out var key))
        {
            throw new KeyServiceException($"ciphertext was not made with key {keyId}");
        }

        var offset = 1 + keyIdBytes.Length;
        var nonce = ciphertextBlob.AsSpan(offset, NonceSize);
        var tag = ciphertextBlob.AsSpan(offset + NonceSize, TagSize);
        var sealedBytes = ciphertextBlob.AsSpan(offset + NonceSize + TagSize);
        var plaintext = new byte[sealedBytes.Length];
        try
        {
            using var aes = new AesGcm(key, TagSize);
            aes.Decrypt(nonce, sealedBytes, tag, plaintext, Canonical(encryptionContext));
        }
        catch (AuthenticationTagMismatchException error)
        {
            throw new KeyServiceException("invalid ciphertext or encryption context", error);
        }

        return Task.FromResult(plaintext);
    }

    public Task<byte[]> EncryptAsync(string keyId, byte[] plaintext, IReadOnlyDictionary<string, string> encryptionContext, CancellationToken cancellationToken) =>
        Task.FromResult(Seal(keyId, plaintext, encryptionContext));

    public Task<byte[]> GenerateRandomAsync(int byteCount, CancellationToken cancellationToken) =>
        Task.FromResult(RandomNumberGenerator.GetBytes(byteCount));

    public Task<byte[]> SignDigestAsync(string keyId, byte[] digest, KmsSigningAlgorithm algorithm, CancellationToken cancellationToken)
    {
        var key = SigningKey(keyId);
        byte[] signature = (key, algorithm) switch
        {
            (ECDsa ecdsa, KmsSigningAlgorithm.EcdsaSha256 or KmsSigningAlgorithm.EcdsaSha384) =>
                ecdsa.SignHash(digest, DSASignatureFormat.Rfc3279DerSequence),
            (RSA rsa, KmsSigningAlgorithm.RsaPkcs1Sha256) => rsa.SignHash(digest, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
            (RSA rsa, KmsSigningAlgorithm.RsaPkcs1Sha384) => rsa.SignHash(digest, HashAlgorithmName.SHA384, RSASignaturePadding.Pkcs1),
            _ => throw new KeyServiceException($"key {keyId} does not support {algorithm}"),
        };
        return Task.FromResult(signature);
    }

    public Task<byte[]> GetPublicKeyAsync(string keyId, CancellationToken cancellationToken) =>
        Task.FromResult(SigningKey(keyId).ExportSubjectPublicKeyInfo());

    private AsymmetricAlgorithm SigningKey(string keyId) =>
        _signingKeys.TryGetValue(keyId, out var key) ? key : throw new KeyServiceException($"no asymmetric key {keyId}");

    private byte[] Seal(string keyId, byte[] plaintext, IReadOnlyDictionary<string, string> encryptionContext)
    {
        var key = _symmetricKeys.GetOrAdd(keyId, _ => RandomNumberGenerator.GetBytes(32));
        var keyIdBytes = Encoding.UTF8.GetBytes(keyId);
        var blob = new byte[1 + keyIdBytes.Length + NonceSize + TagSize + plaintext.Length];
        blob[0] = checked((byte)keyIdBytes.Length);
        keyIdBytes.CopyTo(blob, 1);
        var offset = 1 + keyIdBytes.Length;
        var nonce = blob.AsSpan(offset, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(key, TagSize);
        aes.Encrypt(nonce, plaintext, blob.AsSpan(offset + NonceSize + TagSize), blob.AsSpan(offset + NonceSize, TagSize), Canonical(encryptionContext));
        return blob;
    }

    private static byte[] Canonical(IReadOnlyDictionary<string, string> encryptionContext) =>
        Encoding.UTF8.GetBytes(string.Join('\n', encryptionContext.OrderBy(pair => pair.Key, StringComparer.Ordinal).Select(pair => pair.Key + "=" + pair.Value)));
}
