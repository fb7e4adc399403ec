using System.Security.Cryptography;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.EdEC;
using Org.BouncyCastle.Asn1.Pkcs;
using Org.BouncyCastle.Asn1.Sec;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Asn1.X9;
using BigInteger = Org.BouncyCastle.Math.BigInteger;

namespace IpsecMesh.Tests.Shared;

/// <summary>
/// CSRs a hostile host could send, built as DER with random key material and a random signature: what costs the
/// CA is the shape (key size, exponent, curve), never whether the signature is right. Shared by the PKI tests and
/// the PKI benchmark, which prints the CPU time spent rejecting each.
/// </summary>
internal static class HostileCsrs
{
    /// <summary>The one found on the earlier version: a 15,360-bit modulus with a 15,300-bit exponent, 7,784 base64 characters; its signature check cost 17.6 s of CPU.</summary>
    public static byte[] HugeModulusAndExponent() => Rsa(15_360, RandomPositive(15_300), 1_920, "CN=x");

    /// <summary>Within the size limit, but a 4,096-bit modulus with a 4,000-bit exponent: a slow signature check if it got that far.</summary>
    public static byte[] HugeExponent() => Rsa(4_096, RandomPositive(4_000), 512);

    public static byte[] RsaOf(int modulusBits) => Rsa(modulusBits, BigInteger.ValueOf(65_537), modulusBits / 8);

    public static byte[] SmallExponent() => Rsa(2_048, BigInteger.Three, 256);

    public static byte[] EcOn(DerObjectIdentifier curve, int pointBytes) => Csr(
        new SubjectPublicKeyInfo(new AlgorithmIdentifier(X9ObjectIdentifiers.IdECPublicKey, curve), Uncompressed(pointBytes)),
        new AlgorithmIdentifier(X9ObjectIdentifiers.ECDsaWithSha256), 72);

    public static byte[] P521() => EcOn(SecObjectIdentifiers.SecP521r1, 133);

    public static byte[] Secp256k1() => EcOn(SecObjectIdentifiers.SecP256k1, 65);

    /// <summary>A P-256-sized point whose curve is spelled out (explicit parameters) instead of named.</summary>
    public static byte[] ExplicitCurve()
    {
        var curve = ECNamedCurveTable.GetByOid(SecObjectIdentifiers.SecP256r1);
        return Csr(new SubjectPublicKeyInfo(new AlgorithmIdentifier(X9ObjectIdentifiers.IdECPublicKey, new X962Parameters(curve)), Uncompressed(65)),
            new AlgorithmIdentifier(X9ObjectIdentifiers.ECDsaWithSha256), 72);
    }

    public static byte[] Ed25519() => Csr(
        new SubjectPublicKeyInfo(new AlgorithmIdentifier(EdECObjectIdentifiers.id_Ed25519), RandomNumberGenerator.GetBytes(32)),
        new AlgorithmIdentifier(EdECObjectIdentifiers.id_Ed25519), 64);

    /// <summary>
    /// Within the policy: a real RSA key of <paramref name="bits"/> bits (exponent 65537) with a random signature, so
    /// only the signature check refuses it. BouncyCastle's check first ran a Miller-Rabin test of the modulus.
    /// </summary>
    public static byte[] RsaWithWrongSignature(int bits)
    {
        using var key = System.Security.Cryptography.RSA.Create(bits);
        return Csr(SubjectPublicKeyInfo.GetInstance(key.ExportSubjectPublicKeyInfo()),
            new AlgorithmIdentifier(PkcsObjectIdentifiers.Sha256WithRsaEncryption, DerNull.Instance), bits / 8);
    }

    /// <summary>Every kind with a label, for the benchmark's table.</summary>
    public static IReadOnlyList<(string Kind, byte[] Der)> All() =>
    [
        ("RSA 15,360-bit modulus, 15,300-bit exponent (the found one)", HugeModulusAndExponent()),
        ("RSA 4,096-bit modulus, 4,000-bit exponent", HugeExponent()),
        ("RSA 8,192-bit modulus", RsaOf(8_192)),
        ("RSA 2,048-bit, exponent 3", SmallExponent()),
        ("EC P-521", P521()),
        ("EC secp256k1", Secp256k1()),
        ("EC explicit curve parameters", ExplicitCurve()),
        ("Ed25519", Ed25519()),
        ("RSA 4,096-bit real key, wrong signature (within the policy)", RsaWithWrongSignature(4_096)),
        ("EC P-256 point off the curve (within the policy)", EcOn(SecObjectIdentifiers.SecP256r1, 65)),
    ];

    private static byte[] Rsa(int modulusBits, BigInteger exponent, int signatureBytes, string subject = "CN=host") => Csr(
        new SubjectPublicKeyInfo(new AlgorithmIdentifier(PkcsObjectIdentifiers.RsaEncryption, DerNull.Instance),
            new RsaPublicKeyStructure(RandomPositive(modulusBits).SetBit(0), exponent)),
        new AlgorithmIdentifier(PkcsObjectIdentifiers.Sha256WithRsaEncryption, DerNull.Instance), signatureBytes, subject);

    private static byte[] Csr(SubjectPublicKeyInfo publicKey, AlgorithmIdentifier signatureAlgorithm, int signatureBytes, string subject = "CN=host")
    {
        var info = new CertificationRequestInfo(new X509Name(subject), publicKey, new DerSet());
        return new CertificationRequest(info, signatureAlgorithm, new DerBitString(RandomNumberGenerator.GetBytes(signatureBytes))).GetDerEncoded();
    }

    /// <summary>A random positive integer of exactly <paramref name="bits"/> bits.</summary>
    private static BigInteger RandomPositive(int bits)
    {
        var bytes = RandomNumberGenerator.GetBytes((bits + 7) / 8);
        return new BigInteger(1, bytes).Mod(BigInteger.One.ShiftLeft(bits)).SetBit(bits - 1);
    }

    private static byte[] Uncompressed(int length)
    {
        var point = RandomNumberGenerator.GetBytes(length);
        point[0] = 0x04;
        return point;
    }
}
