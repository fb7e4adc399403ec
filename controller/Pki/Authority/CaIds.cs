using System.Security.Cryptography;

namespace IpsecMesh.Pki.Authority;

public static class CaIds
{
    /// <summary>16 hex digits of the SHA-256 of the CA certificate's DER.</summary>
    public static string Of(Org.BouncyCastle.X509.X509Certificate certificate) =>
        Convert.ToHexStringLower(SHA256.HashData(certificate.GetEncoded()))[..16];
}
