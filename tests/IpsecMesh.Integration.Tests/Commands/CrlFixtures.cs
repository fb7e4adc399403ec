using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using IpsecMesh.Pki;

namespace IpsecMesh.Integration.Tests.Commands;

/// <summary>A CA with a CRL of many revoked certificates (20-byte serials, as the PKI issues them), and its trust bundle.</summary>
internal sealed class CrlFixtures : IDisposable
{
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP384);

    public CrlFixtures()
    {
        var request = new CertificateRequest("CN=ipsec-mesh test CA", _key, HashAlgorithmName.SHA384);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        Ca = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(5));
        CaId = Convert.ToHexStringLower(SHA256.HashData(Ca.RawData))[..16];
        Bundle = new TrustBundle(CaId, Ca.ExportCertificatePem() + "\n", [CaId]);
    }

    public X509Certificate2 Ca { get; }
    public string CaId { get; }
    public TrustBundle Bundle { get; }

    /// <summary>A DER CRL listing <paramref name="revoked"/> certificates, each with a reason code, as the PKI's CRLs do.</summary>
    public PublishedCrl Crl(int revoked)
    {
        var builder = new CertificateRevocationListBuilder();
        var now = DateTimeOffset.UtcNow;
        for (var i = 0; i < revoked; i++)
        {
            var serial = SHA256.HashData(Encoding.ASCII.GetBytes($"revoked {i}"))[..20];
            serial[0] = (byte)(serial[0] & 0x7f | 0x40);
            builder.AddEntry(serial, now.AddMinutes(-i), X509RevocationReason.CessationOfOperation);
        }
        return new PublishedCrl(CaId, builder.Build(Ca, new BigInteger(1_800_000_000_000), now.AddDays(7), HashAlgorithmName.SHA384, null, now));
    }

    public void Dispose()
    {
        Ca.Dispose();
        _key.Dispose();
    }
}
