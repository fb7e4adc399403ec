using System.Security.Cryptography;
using Org.BouncyCastle.Asn1.X509;

namespace IpsecMesh.Pki.Certificates;

internal static class KeyIdentifiers
{
    /// <summary>RFC 7093 method 1: the leftmost 160 bits of the SHA-256 of the subjectPublicKey bits.</summary>
    public static byte[] For(SubjectPublicKeyInfo publicKey) =>
        SHA256.HashData(publicKey.PublicKey.GetOctets())[..20];

    /// <summary>The CA's own SKI when its certificate carries one, else one computed from its key.</summary>
    public static byte[] OfCertificate(Org.BouncyCastle.X509.X509Certificate certificate)
    {
        var extension = certificate.GetExtensionValue(X509Extensions.SubjectKeyIdentifier);
        return extension is null
            ? For(certificate.CertificateStructure.SubjectPublicKeyInfo)
            : SubjectKeyIdentifier.GetInstance(extension.GetOctets()).GetKeyIdentifier();
    }
}
