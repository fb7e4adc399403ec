using System.Security.Cryptography;
using IpsecMesh.Pki.Kms;
using Org.BouncyCastle.Asn1.X509;

namespace IpsecMesh.Pki.Signing;

/// <summary>A CA key that never leaves KMS: the digest is computed here and signed with KMS Sign.</summary>
public sealed class KmsCaSigningKey : ICaSigningKey
{
    private readonly IKeyService _keyService;

    private KmsCaSigningKey(IKeyService keyService, string keyId, SubjectPublicKeyInfo publicKey)
    {
        _keyService = keyService;
        KeyId = keyId;
        PublicKey = publicKey;
        Algorithm = CaSignatureAlgorithms.FromPublicKey(publicKey);
        SignatureAlgorithm = CaSignatureAlgorithms.Identifier(Algorithm);
    }

    public string KeyId { get; }

    public CaAlgorithm Algorithm { get; }

    public AlgorithmIdentifier SignatureAlgorithm { get; }

    public SubjectPublicKeyInfo PublicKey { get; }

    public static async Task<KmsCaSigningKey> OpenAsync(IKeyService keyService, string keyId, CancellationToken cancellationToken)
    {
        var publicKey = SubjectPublicKeyInfo.GetInstance(await keyService.GetPublicKeyAsync(keyId, cancellationToken));
        return new KmsCaSigningKey(keyService, keyId, publicKey);
    }

    public async Task<byte[]> SignAsync(byte[] toBeSigned, CancellationToken cancellationToken)
    {
        var digest = Algorithm == CaAlgorithm.EcdsaP384 ? SHA384.HashData(toBeSigned) : SHA256.HashData(toBeSigned);
        return await _keyService.SignDigestAsync(KeyId, digest, CaSignatureAlgorithms.KmsAlgorithm(Algorithm), cancellationToken);
    }

    public void Dispose()
    {
        // Nothing held locally: the key stays in KMS.
    }
}
