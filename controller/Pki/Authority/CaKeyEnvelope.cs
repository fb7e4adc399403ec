using System.Security.Cryptography;
using System.Text;
using IpsecMesh.Pki.Kms;
using IpsecMesh.Pki.Signing;

namespace IpsecMesh.Pki.Authority;

/// <summary>Seals and opens a CA key with a KMS data key; the plaintext key exists only in memory and is zeroed after use.</summary>
public static class CaKeyEnvelope
{
    private const int NonceSize = 12;
    private const int TagSize = 16;

    public static IReadOnlyDictionary<string, string> EncryptionContext(string caId) =>
        new Dictionary<string, string>(StringComparer.Ordinal) { ["Purpose"] = "ipsec-mesh-ca-key", ["CaId"] = caId };

    public static async Task<CaKeyDocument> SealAsync(IKeyService keyService, string kmsKeyId, string caId, DotNetCaSigningKey key, CancellationToken cancellationToken)
    {
        var dataKey = await keyService.GenerateDataKeyAsync(kmsKeyId, EncryptionContext(caId), cancellationToken);
        var pkcs8 = key.ExportPkcs8();
        try
        {
            var nonce = RandomNumberGenerator.GetBytes(NonceSize);
            var tag = new byte[TagSize];
            var ciphertext = new byte[pkcs8.Length];
            using (var aes = new AesGcm(dataKey.Plaintext, TagSize))
            {
                aes.Encrypt(nonce, pkcs8, ciphertext, tag, Encoding.UTF8.GetBytes(caId));
            }

            return new CaKeyDocument(
                CaKeyDocument.CurrentFormat,
                CaKeyMode.Envelope,
                kmsKeyId,
                Convert.ToBase64String(dataKey.CiphertextBlob),
                Convert.ToBase64String(nonce),
                Convert.ToBase64String(tag),
                Convert.ToBase64String(ciphertext));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pkcs8);
            CryptographicOperations.ZeroMemory(dataKey.Plaintext);
        }
    }

    public static async Task<DotNetCaSigningKey> OpenAsync(IKeyService keyService, string caId, CaKeyDocument document, CancellationToken cancellationToken)
    {
        if (document.Mode != CaKeyMode.Envelope || document.EncryptedDataKey is null || document.Nonce is null || document.Tag is null || document.Ciphertext is null)
        {
            throw new CaStoreException($"key document of CA {caId} is not a complete envelope");
        }

        var dataKey = await keyService.DecryptAsync(document.KmsKeyId, Convert.FromBase64String(document.EncryptedDataKey), EncryptionContext(caId), cancellationToken);
        var ciphertext = Convert.FromBase64String(document.Ciphertext);
        var pkcs8 = new byte[ciphertext.Length];
        try
        {
            using (var aes = new AesGcm(dataKey, TagSize))
            {
                aes.Decrypt(Convert.FromBase64String(document.Nonce), ciphertext, Convert.FromBase64String(document.Tag), pkcs8, Encoding.UTF8.GetBytes(caId));
            }

            return DotNetCaSigningKey.ImportPkcs8(pkcs8);
        }
        catch (AuthenticationTagMismatchException error)
        {
            throw new CaStoreException($"key envelope of CA {caId} does not authenticate (tampered, or sealed for another CA)", error);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pkcs8);
            CryptographicOperations.ZeroMemory(dataKey);
        }
    }
}
