using System.Net;
using IpsecMesh.Pki.Certificates;
using IpsecMesh.Pki.Tests.Support;
using Org.BouncyCastle.Asn1.X509;

namespace IpsecMesh.Pki.Tests;

public sealed class HostCertificateTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(CaAlgorithm.EcdsaP384, HostKeyType.Ecdsa)]
    [InlineData(CaAlgorithm.EcdsaP384, HostKeyType.Rsa)]
    [InlineData(CaAlgorithm.Rsa4096, HostKeyType.Ecdsa)]
    [InlineData(CaAlgorithm.Rsa4096, HostKeyType.Rsa)]
    public async Task Signed_csr_chains_to_the_ca_and_carries_only_ec2_names(CaAlgorithm caAlgorithm, HostKeyType hostKey)
    {
        using var pki = await PkiFixture.StartAsync(caAlgorithm);
        var identity = Hosts.Identity();

        var issued = await pki.Authority.SignCsrAsync(Hosts.Csr(hostKey), identity, "enrol", Ct);

        var certificate = Pem.ParseCertificate(issued.CertificatePem);
        var bundle = await pki.Authority.GetTrustBundleAsync(Ct);
        var ca = Pem.ParseCertificates(bundle.Pem).Single();
        certificate.Verify(ca.GetPublicKey());
        Assert.Equal("CN=ip-10-0-1-23.eu-west-1.compute.internal", certificate.SubjectDN.ToString());
        Assert.Equal(ca.SubjectDN, certificate.IssuerDN);
        var names = certificate.GetSubjectAlternativeNames().Select(name => $"{name[0]}:{name[1]}").Order().ToList();
        Assert.Equal(["2:ip-10-0-1-23.eu-west-1.compute.internal", "7:10.0.1.23", "7:10.0.2.7", "7:2a05:d018:1:2::17"], names);
        Assert.Equal(identity.NamesHash, issued.NamesHash);
        Assert.Equal(await pki.Authority.GetCurrentCaIdAsync(Ct), issued.CaId);
    }

    [Theory]
    [InlineData(CaAlgorithm.EcdsaP384, "1.2.840.10045.4.3.3")]
    [InlineData(CaAlgorithm.Rsa4096, "1.2.840.113549.1.1.11")]
    public async Task Signature_is_sha384_with_a_p384_ca_and_sha256_with_an_rsa_ca(CaAlgorithm caAlgorithm, string signatureOid)
    {
        using var pki = await PkiFixture.StartAsync(caAlgorithm);

        var issued = await pki.Authority.SignCsrAsync(Hosts.Csr(HostKeyType.Ecdsa), Hosts.Identity(), "enrol", Ct);

        Assert.Equal(signatureOid, Pem.ParseCertificate(issued.CertificatePem).SigAlgOid);
    }

    [Theory]
    [InlineData(HostKeyType.Rsa, true)]
    [InlineData(HostKeyType.Ecdsa, false)]
    public async Task Extensions_follow_the_host_profile(HostKeyType hostKey, bool keyEncipherment)
    {
        using var pki = await PkiFixture.StartAsync();

        var issued = await pki.Authority.SignCsrAsync(Hosts.Csr(hostKey), Hosts.Identity(), "enrol", Ct);

        var certificate = Pem.ParseCertificate(issued.CertificatePem);
        Assert.Equal(-1, certificate.GetBasicConstraints());
        var usage = certificate.GetKeyUsage();
        Assert.True(usage[0]);
        Assert.Equal(keyEncipherment, usage[2]);
        Assert.False(usage[5]);
        Assert.Equal(["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"], certificate.GetExtendedKeyUsage().Select(oid => oid.Id).Order());
        var ca = Pem.ParseCertificates((await pki.Authority.GetTrustBundleAsync(Ct)).Pem).Single();
        var caSki = SubjectKeyIdentifier.GetInstance(ca.GetExtensionValue(X509Extensions.SubjectKeyIdentifier).GetOctets()).GetKeyIdentifier();
        var aki = AuthorityKeyIdentifier.GetInstance(certificate.GetExtensionValue(X509Extensions.AuthorityKeyIdentifier).GetOctets());
        Assert.Equal(caSki, aki.KeyIdentifier.GetOctets());
        Assert.NotNull(certificate.GetExtensionValue(X509Extensions.SubjectKeyIdentifier));
        Assert.Contains("2.5.29.15", certificate.GetCriticalExtensionOids());
    }

    [Fact]
    public async Task Validity_is_backdated_for_clock_skew_and_lasts_the_configured_lifetime()
    {
        using var pki = await PkiFixture.StartAsync();
        var now = pki.Time.GetUtcNow();

        var issued = await pki.Authority.SignCsrAsync(Hosts.Csr(HostKeyType.Ecdsa), Hosts.Identity(), "enrol", Ct);

        var certificate = Pem.ParseCertificate(issued.CertificatePem);
        Assert.Equal(now - TimeSpan.FromMinutes(5), new DateTimeOffset(certificate.NotBefore, TimeSpan.Zero));
        Assert.Equal(now + TimeSpan.FromDays(30), new DateTimeOffset(certificate.NotAfter, TimeSpan.Zero));
        Assert.Equal(issued.NotBefore, new DateTimeOffset(certificate.NotBefore, TimeSpan.Zero));
        Assert.Equal(issued.NotAfter, new DateTimeOffset(certificate.NotAfter, TimeSpan.Zero));
    }

    [Fact]
    public async Task Serials_are_random_with_at_least_64_bits_and_match_the_record()
    {
        using var pki = await PkiFixture.StartAsync();
        var serials = new HashSet<string>();

        for (var i = 0; i < 20; i++)
        {
            var issued = await pki.Authority.SignCsrAsync(Hosts.Csr(HostKeyType.Ecdsa), Hosts.Identity(), "enrol", Ct);
            var certificate = Pem.ParseCertificate(issued.CertificatePem);
            Assert.True(certificate.SerialNumber.BitLength >= 64);
            Assert.Equal(certificate.SerialNumber.ToString(16), issued.SerialHex);
            serials.Add(issued.SerialHex);
        }

        Assert.Equal(20, serials.Count);
    }

    [Fact]
    public async Task Instance_without_private_dns_name_gets_its_instance_id_as_common_name()
    {
        using var pki = await PkiFixture.StartAsync();
        var identity = new HostIdentity("i-0123456789abcdef0", Hosts.ArnOf("i-0123456789abcdef0"), string.Empty, [], [IPAddress.Parse("10.0.3.4")]);

        var issued = await pki.Authority.SignCsrAsync(Hosts.Csr(HostKeyType.Ecdsa), identity, "enrol", Ct);

        var certificate = Pem.ParseCertificate(issued.CertificatePem);
        Assert.Equal("CN=i-0123456789abcdef0", certificate.SubjectDN.ToString());
        Assert.Equal("7:10.0.3.4", string.Join(',', certificate.GetSubjectAlternativeNames().Select(name => $"{name[0]}:{name[1]}")));
    }

    [Fact]
    public void Names_hash_changes_with_the_ip_set_and_ignores_order()
    {
        var a = Hosts.Identity("i-01", "10.0.1.1", "10.0.1.2");
        var b = Hosts.Identity("i-01", "10.0.1.2", "10.0.1.1");
        var c = Hosts.Identity("i-01", "10.0.1.1", "10.0.1.3");

        Assert.Equal(a.NamesHash, b.NamesHash);
        Assert.NotEqual(a.NamesHash, c.NamesHash);
        Assert.Matches("^[0-9a-f]{8}$", a.NamesHash);
    }

    [Fact]
    public async Task Ca_certificate_is_a_path_length_zero_ca_for_certificates_and_crls()
    {
        using var pki = await PkiFixture.StartAsync();

        var ca = Pem.ParseCertificates((await pki.Authority.GetTrustBundleAsync(Ct)).Pem).Single();

        Assert.Equal(0, ca.GetBasicConstraints());
        var usage = ca.GetKeyUsage();
        Assert.True(usage[5]);
        Assert.True(usage[6]);
        Assert.False(usage[0]);
        Assert.NotNull(ca.GetExtensionValue(X509Extensions.SubjectKeyIdentifier));
        Assert.Equal(3652, (ca.NotAfter - ca.NotBefore - TimeSpan.FromMinutes(5)).TotalDays, 0.01);
    }
}
