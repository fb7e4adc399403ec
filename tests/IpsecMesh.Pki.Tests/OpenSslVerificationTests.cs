using System.Text;
using IpsecMesh.Pki.Tests.Support;

namespace IpsecMesh.Pki.Tests;

/// <summary>Issued certificates as the openssl command line sees them, for both CA types and both enrolment modes.</summary>
public sealed class OpenSslVerificationTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<CaAlgorithm, CaKeyMode, EnrolmentMode> Cases => new()
    {
        { CaAlgorithm.EcdsaP384, CaKeyMode.Envelope, EnrolmentMode.HostKey },
        { CaAlgorithm.EcdsaP384, CaKeyMode.Envelope, EnrolmentMode.ControllerKey },
        { CaAlgorithm.Rsa4096, CaKeyMode.Envelope, EnrolmentMode.HostKey },
        { CaAlgorithm.Rsa4096, CaKeyMode.Envelope, EnrolmentMode.ControllerKey },
        { CaAlgorithm.EcdsaP384, CaKeyMode.KmsSigner, EnrolmentMode.HostKey },
        { CaAlgorithm.Rsa4096, CaKeyMode.KmsSigner, EnrolmentMode.ControllerKey },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Openssl_verifies_the_chain_and_shows_the_expected_names_and_extensions(CaAlgorithm caAlgorithm, CaKeyMode keyMode, EnrolmentMode enrolment)
    {
        Tools.RequireInstalled("openssl");
        using var pki = await PkiFixture.StartAsync(caAlgorithm, keyMode);
        var identity = Hosts.Identity();
        var issued = enrolment == EnrolmentMode.HostKey
            ? await pki.Authority.SignCsrAsync(Hosts.Csr(HostKeyType.Ecdsa), identity, "enrol", Ct)
            : (await pki.Authority.IssueWithKeyAsync(identity, "enrol", Ct)).Certificate;
        using var dir = new TempDirectory();
        var caFile = dir.Write("ca.pem", (await pki.Authority.GetTrustBundleAsync(Ct)).Pem);
        var hostFile = dir.Write("host.pem", issued.CertificatePem);

        var verify = Tools.Run("openssl", "verify", "-attime", Tools.Epoch(pki.Time), "-x509_strict", "-purpose", "sslserver", "-CAfile", caFile, hostFile);
        var verifyClient = Tools.Run("openssl", "verify", "-attime", Tools.Epoch(pki.Time), "-x509_strict", "-purpose", "sslclient", "-CAfile", caFile, hostFile);
        var text = Tools.Run("openssl", "x509", "-in", hostFile, "-text", "-noout").Output;

        Assert.True(verify.ExitCode == 0, verify.All);
        Assert.True(verifyClient.ExitCode == 0, verifyClient.All);
        Assert.Contains("Subject: CN = ip-10-0-1-23.eu-west-1.compute.internal", text);
        Assert.Contains("DNS:ip-10-0-1-23.eu-west-1.compute.internal, IP Address:10.0.1.23, IP Address:10.0.2.7, IP Address:2A05:D018:1:2:0:0:0:17", text);
        Assert.DoesNotContain("bank.example.com", text);
        Assert.DoesNotContain("10.0.9.9", text);
        Assert.Contains("TLS Web Server Authentication, TLS Web Client Authentication", text);
        Assert.Contains("CA:FALSE", text);
        Assert.Contains("X509v3 Subject Key Identifier", text);
        Assert.Contains("X509v3 Authority Key Identifier", text);
        Assert.Contains(caAlgorithm == CaAlgorithm.EcdsaP384 ? "ecdsa-with-SHA384" : "sha256WithRSAEncryption", text);
        Assert.Contains("Not Before: Jan  5 07:55:00 2026 GMT", text);
        Assert.Contains("Not After : Feb  4 08:00:00 2026 GMT", text);
    }

    [Fact]
    public async Task Ca_certificate_shows_ca_constraints_and_usages_in_openssl()
    {
        Tools.RequireInstalled("openssl");
        using var pki = await PkiFixture.StartAsync();
        using var dir = new TempDirectory();
        var caFile = dir.Write("ca.pem", (await pki.Authority.GetTrustBundleAsync(Ct)).Pem);

        var text = Tools.Run("openssl", "x509", "-in", caFile, "-text", "-noout").Output;

        Assert.Contains("CA:TRUE, pathlen:0", text);
        Assert.Contains("Certificate Sign, CRL Sign", text);
        Assert.Contains("NIST CURVE: P-384", text);
        Assert.Contains("Not After : Jan  5 08:00:00 2036 GMT", text);
    }

    [Fact]
    public async Task Name_constraints_let_openssl_accept_mesh_addresses_and_reject_others()
    {
        Tools.RequireInstalled("openssl");
        var options = PkiFixture.DefaultOptions() with { NameConstraints = ["10.0.0.0/16", "2a05:d018::/32"] };
        using var pki = await PkiFixture.StartAsync(options);
        var inside = await pki.Authority.SignCsrAsync(Hosts.Csr(HostKeyType.Ecdsa), Hosts.Identity(), "enrol", Ct);
        var outside = await pki.Authority.SignCsrAsync(Hosts.Csr(HostKeyType.Ecdsa), Hosts.Identity("i-0bad", "192.168.7.7"), "enrol", Ct);
        using var dir = new TempDirectory();
        var caFile = dir.Write("ca.pem", (await pki.Authority.GetTrustBundleAsync(Ct)).Pem);

        var accepted = Tools.Run("openssl", "verify", "-attime", Tools.Epoch(pki.Time), "-CAfile", caFile, dir.Write("inside.pem", inside.CertificatePem));
        var rejected = Tools.Run("openssl", "verify", "-attime", Tools.Epoch(pki.Time), "-CAfile", caFile, dir.Write("outside.pem", outside.CertificatePem));
        var caText = Tools.Run("openssl", "x509", "-in", caFile, "-text", "-noout").Output;

        Assert.True(accepted.ExitCode == 0, accepted.All);
        Assert.NotEqual(0, rejected.ExitCode);
        Assert.Contains("permitted subtree violation", rejected.All);
        Assert.Contains("IP:10.0.0.0/255.255.0.0", caText);
    }

    [Fact]
    public async Task Kms_signer_mode_never_asks_kms_to_decrypt_a_ca_key()
    {
        using var pki = await PkiFixture.StartAsync(CaAlgorithm.EcdsaP384, CaKeyMode.KmsSigner);

        await pki.Authority.SignCsrAsync(Hosts.Csr(HostKeyType.Ecdsa), Hosts.Identity(), "enrol", Ct);

        Assert.Equal(0, pki.Kms.DecryptCalls);
        var keyDocument = Encoding.UTF8.GetString((await pki.Store.GetAsync(IpsecMesh.Pki.Authority.CaLayout.KeyDocumentKey(await pki.Authority.GetCurrentCaIdAsync(Ct)), Ct))!.Content);
        Assert.Contains("KmsSigner", keyDocument);
        Assert.DoesNotContain("ciphertext", keyDocument, StringComparison.OrdinalIgnoreCase);
    }
}
