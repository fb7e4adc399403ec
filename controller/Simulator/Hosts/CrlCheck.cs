using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;

namespace IpsecMesh.Simulator.Hosts;

/// <summary>
/// The virtual host's version of the agent's CRL check (<c>openssl crl -inform DER -CAfile</c>): a
/// <c>crl/&lt;caId&gt;.crl</c> file must be a DER CRL signed by the bundle's CA of that id.
/// </summary>
internal static partial class CrlCheck
{
    /// <summary>The CA id a request path names, or null when the path is not <c>crl/&lt;16 hex&gt;.crl</c>.</summary>
    public static string? CaIdOf(string path) => CrlPath().Match(path) is { Success: true } match ? match.Groups[1].Value : null;

    /// <summary>The bundle's CAs by id: the first 16 hex digits of the SHA-256 of the certificate, as the agent names them.</summary>
    public static string CaId(X509Certificate2 ca) => Convert.ToHexStringLower(SHA256.HashData(ca.RawData))[..16];

    /// <summary>Whether <paramref name="der"/> is a CRL whose signature verifies with <paramref name="ca"/>'s key.</summary>
    public static bool IsSignedBy(byte[] der, X509Certificate2 ca)
    {
        try
        {
            var list = new AsnReader(der, AsnEncodingRules.DER).ReadSequence();
            var tbs = list.ReadEncodedValue().ToArray();
            var algorithm = list.ReadSequence().ReadObjectIdentifier();
            var signature = list.ReadBitString(out _);
            return algorithm switch
            {
                "1.2.840.10045.4.3.2" => VerifyEc(ca, tbs, signature, HashAlgorithmName.SHA256),
                "1.2.840.10045.4.3.3" => VerifyEc(ca, tbs, signature, HashAlgorithmName.SHA384),
                "1.2.840.10045.4.3.4" => VerifyEc(ca, tbs, signature, HashAlgorithmName.SHA512),
                "1.2.840.113549.1.1.11" => VerifyRsa(ca, tbs, signature, HashAlgorithmName.SHA256),
                "1.2.840.113549.1.1.12" => VerifyRsa(ca, tbs, signature, HashAlgorithmName.SHA384),
                "1.2.840.113549.1.1.13" => VerifyRsa(ca, tbs, signature, HashAlgorithmName.SHA512),
                _ => false,
            };
        }
        catch (Exception e) when (e is AsnContentException or CryptographicException)
        {
            return false;
        }
    }

    private static bool VerifyEc(X509Certificate2 ca, byte[] tbs, byte[] signature, HashAlgorithmName hash)
    {
        using var key = ca.GetECDsaPublicKey();
        return key is not null && key.VerifyData(tbs, signature, hash, DSASignatureFormat.Rfc3279DerSequence);
    }

    private static bool VerifyRsa(X509Certificate2 ca, byte[] tbs, byte[] signature, HashAlgorithmName hash)
    {
        using var key = ca.GetRSAPublicKey();
        return key is not null && key.VerifyData(tbs, signature, hash, RSASignaturePadding.Pkcs1);
    }

    [GeneratedRegex("^crl/([0-9a-f]{16})\\.crl$")]
    private static partial Regex CrlPath();
}
