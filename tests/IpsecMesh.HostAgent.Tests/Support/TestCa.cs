using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace IpsecMesh.HostAgent.Tests.Support;

/// <summary>A throwaway CA that signs the hosts' CSRs the way the mesh CA would.</summary>
internal sealed class TestCa : IDisposable
{
    private readonly ECDsa _key;

    public TestCa(string name = "ipsec-mesh test CA")
    {
        _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", _key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        Certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
    }

    public X509Certificate2 Certificate { get; }

    public byte[] BundlePem => Encoding.ASCII.GetBytes(Certificate.ExportCertificatePem());

    /// <summary>The CA's id as the controller names it (and the agent its NSS nickname): 16 hex digits of the SHA-256.</summary>
    public string CaId => Convert.ToHexStringLower(SHA256.HashData(Certificate.RawData))[..16];

    /// <summary>A DER CRL of this CA revoking <paramref name="serials"/>; a higher <paramref name="number"/> is a newer CRL.</summary>
    public byte[] Crl(int number, params byte[][] serials)
    {
        var builder = new CertificateRevocationListBuilder();
        foreach (var serial in serials) builder.AddEntry(serial, DateTimeOffset.UtcNow.AddMinutes(-1), X509RevocationReason.CessationOfOperation);
        return builder.Build(Certificate, number, DateTimeOffset.UtcNow.AddDays(7), HashAlgorithmName.SHA256,
            thisUpdate: DateTimeOffset.UtcNow.AddMinutes(-10 + number));
    }

    public X509Certificate2 Sign(byte[] csrDer, byte[] serial)
    {
        var csr = CertificateRequest.LoadSigningRequest(csrDer, HashAlgorithmName.SHA256, CertificateRequestLoadOptions.UnsafeLoadCertificateExtensions);
        var named = new CertificateRequest(new X500DistinguishedName("CN=ip-10-77-0-5.ec2.internal"), csr.PublicKey, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("ip-10-77-0-5.ec2.internal");
        san.AddIpAddress(System.Net.IPAddress.Parse("10.77.0.5"));
        named.CertificateExtensions.Add(san.Build());
        // The generator form signs RSA subject keys with the CA's EC key too.
        return named.Create(Certificate.SubjectName, X509SignatureGenerator.CreateForECDsa(_key),
            DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(30), serial);
    }

    /// <summary>A certificate for a key no host holds.</summary>
    public X509Certificate2 SignForeignKey()
    {
        using var foreign = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=somebody else", foreign, HashAlgorithmName.SHA256);
        return Sign(request.CreateSigningRequest(), [0x7f, 0x01]);
    }

    public void Dispose()
    {
        Certificate.Dispose();
        _key.Dispose();
    }
}
