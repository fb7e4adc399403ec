using System.Security.Cryptography;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Pkcs;
using Org.BouncyCastle.Asn1.Sec;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Asn1.X9;
using Org.BouncyCastle.Pkcs;

namespace IpsecMesh.Pki.Certificates;

/// <summary>Which library checks a CSR's self-signature (<see cref="CsrSignature.VerifierFor"/>).</summary>
internal enum CsrVerifier
{
    /// <summary>System.Security.Cryptography (OpenSSL underneath).</summary>
    DotNet,

    /// <summary>BouncyCastle's <see cref="Pkcs10CertificationRequest.Verify()"/>.</summary>
    BouncyCastle,
}

/// <summary>
/// Checks the self-signature of a PKCS#10 request whose key already passed <see cref="CsrKeyPolicy"/>: the one
/// verification per CSR that proof of possession costs. The request's DER <c>CertificationRequestInfo</c> is checked
/// against its signature with the algorithm the request names, as BouncyCastle does; what differs is who does the
/// arithmetic, chosen by measurement (the pki benchmark, docs/pki.md):
/// <list type="bullet">
/// <item>RSA PKCS#1 v1.5 with SHA-256/384/512: System.Security.Cryptography. BouncyCastle turns the modulus into key
/// parameters only after a Miller-Rabin primality test of it (about 14 ms of CPU for RSA-2048 and 100 ms for
/// RSA-4096, 200 to 1,500 times the verification itself);</item>
/// <item>ECDSA with SHA-256/384/512 on P-256, uncompressed point: System.Security.Cryptography (about 0.2 ms with
/// the key import against 0.28 ms for BouncyCastle);</item>
/// <item>everything else, notably ECDSA on P-384, compressed points and other signature algorithms: BouncyCastle,
/// unchanged. OpenSSL re-validates an imported EC key with a full scalar multiplication, which on P-384 costs more
/// (about 0.95 ms) than BouncyCastle's whole verification (about 0.8 ms).</item>
/// </list>
/// </summary>
internal static class CsrSignature
{
    private const int P256UncompressedPointBytes = 65;

    /// <returns>Whether the signature verifies; false for a wrong or malformed signature.</returns>
    /// <exception cref="ArgumentException">The key cannot be imported (an EC point off the curve, say).</exception>
    /// <exception cref="Exception">BouncyCastle cannot check the signature at all (an unknown algorithm, say).</exception>
    public static bool Verify(Pkcs10CertificationRequest request, SubjectPublicKeyInfo publicKey)
    {
        if (VerifierFor(request, publicKey) == CsrVerifier.BouncyCastle)
        {
            return request.Verify();
        }

        var signed = request.GetCertificationRequestInfo().GetEncoded(Asn1Encodable.Der);
        var signature = request.GetSignatureOctets();
        var hash = HashOf(request.SignatureAlgorithm);
        var keyDer = publicKey.GetEncoded(Asn1Encodable.Der);

        using AsymmetricAlgorithm key = IsRsa(publicKey) ? RSA.Create() : ECDsa.Create();
        try
        {
            key.ImportSubjectPublicKeyInfo(keyDer, out _);
        }
        catch (CryptographicException error)
        {
            // An EC point off the curve, say: the signature cannot be checked, as BouncyCastle said with this exception type.
            throw new ArgumentException("the CSR's public key cannot be imported", nameof(publicKey), error);
        }

        try
        {
            return key is RSA rsa
                ? rsa.VerifyData(signed, signature, hash, RSASignaturePadding.Pkcs1)
                : ((ECDsa)key).VerifyData(signed, signature, hash, DSASignatureFormat.Rfc3279DerSequence);
        }
        catch (CryptographicException)
        {
            // As BouncyCastle's signers do: a signature that does not even decode is a wrong signature.
            return false;
        }
    }

    /// <summary>The library <see cref="Verify"/> uses for this request and key.</summary>
    public static CsrVerifier VerifierFor(Pkcs10CertificationRequest request, SubjectPublicKeyInfo publicKey)
    {
        var algorithm = request.SignatureAlgorithm;
        if (IsRsa(publicKey))
        {
            return RsaHashes.ContainsKey(algorithm.Algorithm) && (algorithm.Parameters is null || algorithm.Parameters is DerNull)
                ? CsrVerifier.DotNet
                : CsrVerifier.BouncyCastle;
        }

        var onP256 = publicKey.Algorithm.Algorithm.Equals(X9ObjectIdentifiers.IdECPublicKey)
            && SecObjectIdentifiers.SecP256r1.Equals(publicKey.Algorithm.Parameters as DerObjectIdentifier)
            && publicKey.PublicKey.GetOctets() is { Length: P256UncompressedPointBytes } point && point[0] == 0x04;
        return onP256 && EcdsaHashes.ContainsKey(algorithm.Algorithm) && algorithm.Parameters is null
            ? CsrVerifier.DotNet
            : CsrVerifier.BouncyCastle;
    }

    private static readonly Dictionary<DerObjectIdentifier, HashAlgorithmName> RsaHashes = new()
    {
        [PkcsObjectIdentifiers.Sha256WithRsaEncryption] = HashAlgorithmName.SHA256,
        [PkcsObjectIdentifiers.Sha384WithRsaEncryption] = HashAlgorithmName.SHA384,
        [PkcsObjectIdentifiers.Sha512WithRsaEncryption] = HashAlgorithmName.SHA512,
    };

    private static readonly Dictionary<DerObjectIdentifier, HashAlgorithmName> EcdsaHashes = new()
    {
        [X9ObjectIdentifiers.ECDsaWithSha256] = HashAlgorithmName.SHA256,
        [X9ObjectIdentifiers.ECDsaWithSha384] = HashAlgorithmName.SHA384,
        [X9ObjectIdentifiers.ECDsaWithSha512] = HashAlgorithmName.SHA512,
    };

    private static bool IsRsa(SubjectPublicKeyInfo publicKey) => publicKey.Algorithm.Algorithm.Equals(PkcsObjectIdentifiers.RsaEncryption);

    private static HashAlgorithmName HashOf(AlgorithmIdentifier algorithm) =>
        RsaHashes.TryGetValue(algorithm.Algorithm, out var hash) ? hash : EcdsaHashes[algorithm.Algorithm];
}
