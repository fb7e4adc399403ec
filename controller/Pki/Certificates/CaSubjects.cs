using System.Security.Cryptography;
using Org.BouncyCastle.Asn1.X509;

namespace IpsecMesh.Pki.Certificates;

/// <summary>
/// The subject of a CA that <c>ca init</c> or <c>ca rotate</c> creates: <c>CN=&lt;CaCommonName&gt;, SERIALNUMBER=&lt;16 hex digits&gt;</c>,
/// the serialNumber attribute (2.5.4.5, X.520) being the first 16 hex digits of the SHA-256 of the CA's DER
/// SubjectPublicKeyInfo. Each CA therefore has its own name: NSS keeps one CRL per issuer name, so two CAs sharing a
/// name (as every CA did before) had each CRL replace the other's on the hosts during a rotation overlap.
/// </summary>
public static class CaSubjects
{
    public static X509Name For(string commonName, SubjectPublicKeyInfo publicKey) =>
        new([X509Name.CN, X509Name.SerialNumber], [commonName, KeyTag(publicKey)]);

    /// <summary>16 lower-case hex digits of the SHA-256 of the DER SubjectPublicKeyInfo.</summary>
    public static string KeyTag(SubjectPublicKeyInfo publicKey) =>
        Convert.ToHexStringLower(SHA256.HashData(publicKey.GetDerEncoded()))[..16];
}
