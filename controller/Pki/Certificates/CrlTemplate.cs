using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Math;

namespace IpsecMesh.Pki.Certificates;

/// <summary>The to-be-signed body of a CA's CRL (v2, with CRL number and authority key identifier).</summary>
internal static class CrlTemplate
{
    public static TbsCertificateList Build(
        Org.BouncyCastle.X509.X509Certificate caCertificate,
        AlgorithmIdentifier signatureAlgorithm,
        BigInteger crlNumber,
        DateTimeOffset thisUpdate,
        DateTimeOffset nextUpdate,
        IEnumerable<RevokedSerial> revoked)
    {
        var generator = new V2TbsCertListGenerator();
        generator.SetSignature(signatureAlgorithm);
        generator.SetIssuer(caCertificate.SubjectDN);
        generator.SetThisUpdate(new Time(thisUpdate.UtcDateTime));
        generator.SetNextUpdate(new Time(nextUpdate.UtcDateTime));
        foreach (var entry in revoked.OrderBy(entry => entry.Serial))
        {
            generator.AddCrlEntry(new DerInteger(entry.Serial), new Time(entry.RevokedAt.UtcDateTime), (int)entry.Reason);
        }

        var extensions = new X509ExtensionsGenerator();
        extensions.AddExtension(X509Extensions.CrlNumber, false, new CrlNumber(crlNumber));
        extensions.AddExtension(X509Extensions.AuthorityKeyIdentifier, false, new AuthorityKeyIdentifier(KeyIdentifiers.OfCertificate(caCertificate)));
        generator.SetExtensions(extensions.Generate());
        return generator.GenerateTbsCertList();
    }
}
