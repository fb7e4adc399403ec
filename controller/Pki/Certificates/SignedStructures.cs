using System.Formats.Asn1;
using IpsecMesh.Pki.Signing;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.X509;

namespace IpsecMesh.Pki.Certificates;

/// <summary>Signs a to-be-signed structure with any <see cref="ICaSigningKey"/> (local or KMS) and wraps it.</summary>
internal static class SignedStructures
{
    public static async Task<X509Certificate> SignCertificateAsync(TbsCertificateStructure tbs, ICaSigningKey key, CancellationToken cancellationToken) =>
        new(X509CertificateStructure.GetInstance(await SignCertificateDerAsync(tbs, key, cancellationToken)));

    /// <returns>
    /// The certificate's DER: the TBS bytes that were signed, the algorithm and the signature, put together without
    /// encoding the TBS a second time (a host certificate needs no parsed object, only its PEM).
    /// </returns>
    public static async Task<byte[]> SignCertificateDerAsync(TbsCertificateStructure tbs, ICaSigningKey key, CancellationToken cancellationToken)
    {
        var tbsDer = tbs.GetEncoded(Asn1Encodable.Der);
        var signature = await key.SignAsync(tbsDer, cancellationToken);
        return Assemble(tbsDer, key.SignatureAlgorithm, signature);
    }

    /// <summary>SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue } (RFC 5280 §4.1) from DER parts.</summary>
    public static byte[] Assemble(byte[] tbsDer, AlgorithmIdentifier signatureAlgorithm, byte[] signature)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteEncodedValue(tbsDer);
            writer.WriteEncodedValue(signatureAlgorithm.GetEncoded(Asn1Encodable.Der));
            writer.WriteBitString(signature);
        }

        return writer.Encode();
    }

    public static async Task<X509Crl> SignCrlAsync(TbsCertificateList tbs, ICaSigningKey key, CancellationToken cancellationToken)
    {
        var signature = await key.SignAsync(tbs.GetDerEncoded(), cancellationToken);
        return new X509Crl(CertificateList.GetInstance(
            new DerSequence(tbs, key.SignatureAlgorithm, new DerBitString(signature))));
    }
}
