using System.Security.Cryptography;
using Org.BouncyCastle.Asn1.X509;

namespace IpsecMesh.Pki.Signing;

/// <summary>A CA key held in process memory by System.Security.Cryptography (OpenSSL underneath).</summary>
public sealed class DotNetCaSigningKey : ICaSigningKey
{
    private readonly AsymmetricAlgorithm _key;

    public DotNetCaSigningKey(AsymmetricAlgorithm key)
    {
        _key = key;
        PublicKey = SubjectPublicKeyInfo.GetInstance(key.ExportSubjectPublicKeyInfo());
        Algorithm = CaSignatureAlgorithms.FromPublicKey(PublicKey);
        SignatureAlgorithm = CaSignatureAlgorithms.Identifier(Algorithm);
    }

    public CaAlgorithm Algorithm { get; }

    public AlgorithmIdentifier SignatureAlgorithm { get; }

    public SubjectPublicKeyInfo PublicKey { get; }

    public static DotNetCaSigningKey Generate(CaAlgorithm algorithm) => new(algorithm == CaAlgorithm.EcdsaP384
        ? ECDsa.Create(ECCurve.NamedCurves.nistP384)
        : RSA.Create(4096));

    /// <summary>Imports an unencrypted PKCS#8 key; the caller zeroes <paramref name="pkcs8"/> afterwards.</summary>
    public static DotNetCaSigningKey ImportPkcs8(ReadOnlySpan<byte> pkcs8)
    {
        var info = Org.BouncyCastle.Asn1.Pkcs.PrivateKeyInfo.GetInstance(pkcs8.ToArray());
        AsymmetricAlgorithm key = info.PrivateKeyAlgorithm.Algorithm.Equals(Org.BouncyCastle.Asn1.Pkcs.PkcsObjectIdentifiers.RsaEncryption)
            ? RSA.Create()
            : ECDsa.Create();
        key.ImportPkcs8PrivateKey(pkcs8, out _);
        return new DotNetCaSigningKey(key);
    }

    public Task<byte[]> SignAsync(byte[] toBeSigned, CancellationToken cancellationToken)
    {
        var hash = CaSignatureAlgorithms.Hash(Algorithm);
        var signature = _key switch
        {
            ECDsa ecdsa => ecdsa.SignData(toBeSigned, hash, DSASignatureFormat.Rfc3279DerSequence),
            RSA rsa => rsa.SignData(toBeSigned, hash, RSASignaturePadding.Pkcs1),
            _ => throw new NotSupportedException("unsupported CA key type"),
        };
        return Task.FromResult(signature);
    }

    /// <summary>The plaintext PKCS#8 key, for sealing only; the caller zeroes it.</summary>
    public byte[] ExportPkcs8() => _key.ExportPkcs8PrivateKey();

    /// <summary>The key as encrypted PKCS#8 PEM (PBES2, AES-256-CBC, SHA-256) for an offline backup.</summary>
    public string ExportEncryptedPkcs8Pem(string password) =>
        _key.ExportEncryptedPkcs8PrivateKeyPem(password, new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 600_000));

    public void Dispose() => _key.Dispose();
}
