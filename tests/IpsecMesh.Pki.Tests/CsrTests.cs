using IpsecMesh.Pki.Certificates;
using IpsecMesh.Pki.Tests.Support;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace IpsecMesh.Pki.Tests;

public sealed class CsrTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Csr_asking_for_foreign_names_gets_the_ec2_names_only()
    {
        using var pki = await PkiFixture.StartAsync();

        var issued = await pki.Authority.SignCsrAsync(Hosts.Csr(HostKeyType.Rsa), Hosts.Identity(), "enrol", Ct);

        var certificate = Pem.ParseCertificate(issued.CertificatePem);
        var names = string.Join(',', certificate.GetSubjectAlternativeNames().Select(name => name[1]));
        Assert.DoesNotContain("bank.example.com", names);
        Assert.DoesNotContain("10.0.9.9", names);
        Assert.DoesNotContain("Attacker", certificate.SubjectDN.ToString());
        Assert.Equal(-1, certificate.GetBasicConstraints());
    }

    [Fact]
    public async Task Csr_with_a_bad_signature_is_rejected_with_a_clear_error_and_nothing_is_recorded()
    {
        using var pki = await PkiFixture.StartAsync();
        var csr = Hosts.Csr(HostKeyType.Ecdsa);
        csr[^3] ^= 0x55;

        var error = await Assert.ThrowsAsync<CsrRejectedException>(() => pki.Authority.SignCsrAsync(csr, Hosts.Identity(), "enrol", Ct));

        Assert.Equal("CSR of i-0abc1234def567890 has a bad self-signature (proof of key possession failed)", error.Message);
        Assert.Empty(await pki.Registry.LoadCurrentAsync(Ct));
        Assert.Contains(pki.Logs.Lines, line => line.Contains("Rejected the CSR of i-0abc1234def567890", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Csr_signed_by_another_key_than_the_one_it_carries_is_rejected()
    {
        using var pki = await PkiFixture.StartAsync();
        using var claimed = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var signer = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=x", claimed, HashAlgorithmName.SHA256);
        var forged = request.CreateSigningRequest(X509SignatureGenerator.CreateForECDsa(signer));

        await Assert.ThrowsAsync<CsrRejectedException>(() => pki.Authority.SignCsrAsync(forged, Hosts.Identity(), "enrol", Ct));
    }

    [Fact]
    public async Task Bytes_that_are_not_a_csr_are_rejected()
    {
        using var pki = await PkiFixture.StartAsync();

        var error = await Assert.ThrowsAsync<CsrRejectedException>(() => pki.Authority.SignCsrAsync([0x30, 0x03, 0x02, 0x01, 0x01], Hosts.Identity(), "enrol", Ct));

        Assert.Contains("i-0abc1234def567890", error.Message);
    }

    [Fact]
    public async Task Csr_with_a_weak_rsa_key_is_rejected()
    {
        using var pki = await PkiFixture.StartAsync();
        using var weak = RSA.Create(1024);

        var error = await Assert.ThrowsAsync<CsrRejectedException>(() => pki.Authority.SignCsrAsync(Hosts.CsrWithForeignNames(weak), Hosts.Identity(), "enrol", Ct));

        Assert.Contains("1024 bits", error.Message);
    }
}
