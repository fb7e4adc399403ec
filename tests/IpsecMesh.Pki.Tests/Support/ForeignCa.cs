using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace IpsecMesh.Pki.Tests.Support;

/// <summary>
/// A CA that is not the mesh's (a writer of <c>issued/</c> can make one) with the mesh CA's old subject,
/// which signs CRLs of its choosing.
/// </summary>
public sealed class ForeignCa : IDisposable
{
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP384);

    public ForeignCa(string subject = "CN=ipsec-mesh CA")
        : this(new X500DistinguishedName(subject))
    {
    }

    /// <param name="subject">Any name, e.g. the real mesh CA's own (DER), to forge a CRL under it.</param>
    public ForeignCa(X500DistinguishedName subject)
    {
        var request = new CertificateRequest(subject, _key, HashAlgorithmName.SHA384);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        Certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddYears(-1), DateTimeOffset.UtcNow.AddYears(20));
    }

    public X509Certificate2 Certificate { get; }

    /// <summary>A DER CRL signed by this CA listing <paramref name="serialsHex"/> (often none) with a high CRL number.</summary>
    public byte[] Crl(DateTimeOffset thisUpdate, params string[] serialsHex)
    {
        var builder = new CertificateRevocationListBuilder();
        foreach (var serial in serialsHex)
        {
            builder.AddEntry(Convert.FromHexString(serial.Length % 2 == 0 ? serial : "0" + serial), thisUpdate);
        }

        return builder.Build(Certificate, new System.Numerics.BigInteger(long.MaxValue), thisUpdate.AddDays(30), HashAlgorithmName.SHA384, thisUpdate: thisUpdate);
    }

    public void Dispose()
    {
        Certificate.Dispose();
        _key.Dispose();
    }
}
