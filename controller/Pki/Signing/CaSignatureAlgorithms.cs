using System.Security.Cryptography;
using IpsecMesh.Pki.Kms;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Pkcs;
using Org.BouncyCastle.Asn1.Sec;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Asn1.X9;

namespace IpsecMesh.Pki.Signing;

/// <summary>SHA-384 with a P-384 CA, SHA-256 with an RSA CA: one place that decides it.</summary>
public static class CaSignatureAlgorithms
{
    public static AlgorithmIdentifier Identifier(CaAlgorithm algorithm) => algorithm switch
    {
        CaAlgorithm.EcdsaP384 => new AlgorithmIdentifier(X9ObjectIdentifiers.ECDsaWithSha384),
        CaAlgorithm.Rsa4096 => new AlgorithmIdentifier(PkcsObjectIdentifiers.Sha256WithRsaEncryption, DerNull.Instance),
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "unknown CA algorithm"),
    };

    public static HashAlgorithmName Hash(CaAlgorithm algorithm) =>
        algorithm == CaAlgorithm.EcdsaP384 ? HashAlgorithmName.SHA384 : HashAlgorithmName.SHA256;

    public static string BouncyCastleSignerName(CaAlgorithm algorithm) =>
        algorithm == CaAlgorithm.EcdsaP384 ? "SHA-384withECDSA" : "SHA-256withRSA";

    public static KmsSigningAlgorithm KmsAlgorithm(CaAlgorithm algorithm) =>
        algorithm == CaAlgorithm.EcdsaP384 ? KmsSigningAlgorithm.EcdsaSha384 : KmsSigningAlgorithm.RsaPkcs1Sha256;

    /// <summary>The CA algorithm a public key belongs to; anything but P-384 or RSA of at least 3072 bits is refused.</summary>
    public static CaAlgorithm FromPublicKey(SubjectPublicKeyInfo publicKey)
    {
        var algorithm = publicKey.Algorithm.Algorithm;
        if (algorithm.Equals(X9ObjectIdentifiers.IdECPublicKey))
        {
            var curve = publicKey.Algorithm.Parameters as DerObjectIdentifier;
            return SecObjectIdentifiers.SecP384r1.Equals(curve)
                ? CaAlgorithm.EcdsaP384
                : throw new NotSupportedException("an ECDSA CA key must be on curve P-384");
        }

        if (algorithm.Equals(PkcsObjectIdentifiers.RsaEncryption))
        {
            var rsa = RsaPublicKeyStructure.GetInstance(publicKey.ParsePublicKey());
            return rsa.Modulus.BitLength >= 3072
                ? CaAlgorithm.Rsa4096
                : throw new NotSupportedException("an RSA CA key must have at least 3072 bits");
        }

        throw new NotSupportedException($"unsupported CA key algorithm {algorithm.Id}");
    }
}
