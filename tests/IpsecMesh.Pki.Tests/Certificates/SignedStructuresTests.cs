using System.Security.Cryptography;
using IpsecMesh.Pki.Certificates;
using IpsecMesh.Pki.Signing;
using IpsecMesh.Pki.Tests.Support;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Math;

namespace IpsecMesh.Pki.Tests.Certificates;

/// <summary>A certificate put together from the signed TBS bytes is the DER BouncyCastle would encode, and verifies.</summary>
public sealed class SignedStructuresTests
{
    [Theory]
    [InlineData(CaAlgorithm.EcdsaP384)]
    [InlineData(CaAlgorithm.Rsa4096)]
    public async Task The_assembled_certificate_is_canonical_der_signed_by_the_ca_key(CaAlgorithm algorithm)
    {
        using var key = DotNetCaSigningKey.Generate(algorithm);
        using var host = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var now = new DateTimeOffset(2026, 1, 5, 8, 0, 0, TimeSpan.Zero);
        var caTbs = CaCertificateTemplate.Build(CaSubjects.For("test CA", key.PublicKey), key.PublicKey, key.SignatureAlgorithm, BigInteger.One, now, now.AddYears(1), []);
        var ca = await SignedStructures.SignCertificateAsync(caTbs, key, TestContext.Current.CancellationToken);
        var hostKey = SubjectPublicKeyInfo.GetInstance(host.ExportSubjectPublicKeyInfo());
        var tbs = HostCertificateTemplate.Build(Hosts.Identity(), hostKey, ca, key.SignatureAlgorithm, SerialNumbers.Next(), now, now.AddDays(30));

        var der = await SignedStructures.SignCertificateDerAsync(tbs, key, TestContext.Current.CancellationToken);

        var parsed = new Org.BouncyCastle.X509.X509Certificate(der);
        Assert.Equal(parsed.CertificateStructure.GetDerEncoded(), der);
        Assert.Equal(tbs.GetDerEncoded(), parsed.GetTbsCertificate());
        parsed.Verify(ca.GetPublicKey());
        using var system = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificate(der);
        Assert.Equal(der, system.RawData);
        Assert.StartsWith("-----BEGIN CERTIFICATE-----\n", Pem.OfCertificate(der), StringComparison.Ordinal);
        Assert.Equal(Pem.Of(parsed), Pem.OfCertificate(der));
    }
}
