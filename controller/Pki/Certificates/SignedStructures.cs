using IpsecMesh.Pki.Signing;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.X509;

namespace IpsecMesh.Pki.Certificates;

/// <summary>Signs a to-be-signed structure with any <see cref="ICaSigningKey"/> (local or KMS) and wraps it.</summary>
internal static class SignedStructures
{
    public static async Task<X509Certificate> SignCertificateAsync(TbsCertificateStructure tbs, ICaSigningKey key, CancellationToken cancellationToken)
    {
        var signature = await key.SignAsync(tbs.GetDerEncoded(), cancellationToken);
        return new X509Certificate(X509CertificateStructure.GetInstance(
            new DerSequence(tbs, key.SignatureAlgorithm, new DerBitString(signature))));
    }

    public static async Task<X509Crl> SignCrlAsync(TbsCertificateList tbs, ICaSigningKey key, CancellationToken cancellationToken)
    {
        var signature = await key.SignAsync(tbs.GetDerEncoded(), cancellationToken);
        return new X509Crl(CertificateList.GetInstance(
            new DerSequence(tbs, key.SignatureAlgorithm, new DerBitString(signature))));
    }
}
