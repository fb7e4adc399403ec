using IpsecMesh.HostAgent.Protocol;
using IpsecMesh.HostAgent.Tests.Support;

namespace IpsecMesh.HostAgent.Tests.Script;

/// <summary>csr and install-cert against a real NSS database in a temp directory (no pluto needed).</summary>
public class CertificateVerbTests
{
    private static async Task<(AgentSandbox Sandbox, byte[] Csr)> SandboxWithCsrAsync(string keyType)
    {
        Prerequisites.Require("flock", "certutil", "openssl");
        var sandbox = new AgentSandbox();
        await sandbox.InitNssAsync();
        var result = await sandbox.RunAsync(Requests.Csr(keyType));
        var csr = Assert.Single(AgentResult.ParseAll(result.Stdout));
        Assert.True(csr.Ok, result.ToString());
        return (sandbox, Convert.FromBase64String(csr.GetString("csr")!));
    }

    [Theory]
    [InlineData("rsa", "1.2.840.113549.1.1.1")]
    [InlineData("ec", "1.2.840.10045.2.1")]
    public async Task Csr_makes_a_key_in_nss_and_prints_a_request_signed_by_it(string keyType, string algorithmOid)
    {
        var (sandbox, der) = await SandboxWithCsrAsync(keyType);
        using var _ = sandbox;

        var request = System.Security.Cryptography.X509Certificates.CertificateRequest.LoadSigningRequest(
            der, System.Security.Cryptography.HashAlgorithmName.SHA256);

        Assert.Equal(algorithmOid, request.PublicKey.Oid.Value);
        Assert.Contains(keyType, await sandbox.NssListingAsync("-K"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Csr_with_an_unknown_key_type_fails_bad_request()
    {
        Prerequisites.Require("flock", "certutil", "openssl");
        using var sandbox = new AgentSandbox();
        await sandbox.InitNssAsync();

        var result = await sandbox.RunAsync(Requests.Csr("dsa"));

        Assert.Equal("bad_request", Assert.Single(AgentResult.ParseAll(result.Stdout)).Code);
    }

    [Fact]
    public async Task Install_cert_installs_the_signed_certificate_and_reports_its_serial_and_expiry()
    {
        var (sandbox, der) = await SandboxWithCsrAsync("ec");
        using var _ = sandbox;
        using var ca = new TestCa();
        using var certificate = ca.Sign(der, [0x00, 0x0a, 0xbc]);

        var result = await sandbox.RunAsync(Requests.InstallCert(certificate, ca.BundlePem));

        var installed = Assert.Single(AgentResult.ParseAll(result.Stdout));
        Assert.True(installed.Ok, result.ToString());
        Assert.Equal("0abc", installed.GetString("serial"));
        Assert.Equal(certificate.NotAfter.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ"), installed.GetString("notAfter"));
        var listing = await sandbox.NssListingAsync();
        Assert.Contains("ipsec-mesh-host", listing, StringComparison.Ordinal);
        Assert.Matches(@"ipsec-mesh-ca-[0-9a-f]{16}\s+CT,,", listing);
    }

    [Fact]
    public async Task Install_cert_for_a_key_not_in_nss_fails_no_matching_key_and_changes_nothing()
    {
        var (sandbox, _) = await SandboxWithCsrAsync("rsa");
        using var __ = sandbox;
        using var ca = new TestCa();
        using var foreign = ca.SignForeignKey();
        var before = await sandbox.NssListingAsync();

        var result = await sandbox.RunAsync(Requests.InstallCert(foreign, ca.BundlePem));

        Assert.Equal("no_matching_key", Assert.Single(AgentResult.ParseAll(result.Stdout)).Code);
        Assert.Equal(6, result.ExitCode);
        Assert.Equal(before, await sandbox.NssListingAsync());
    }

    [Fact]
    public async Task Renewal_replaces_the_certificate_deletes_the_old_key_and_drops_cas_that_left_the_bundle()
    {
        var (sandbox, firstCsr) = await SandboxWithCsrAsync("ec");
        using var _ = sandbox;
        using var oldCa = new TestCa("old mesh CA");
        using var newCa = new TestCa("new mesh CA");
        using var first = oldCa.Sign(firstCsr, [0x01]);
        Assert.True(AgentResult.ParseAll((await sandbox.RunAsync(Requests.InstallCert(first, oldCa.BundlePem))).Stdout)[0].Ok);
        var secondCsr = Convert.FromBase64String(AgentResult.ParseAll((await sandbox.RunAsync(Requests.Csr("ec"))).Stdout)[0].GetString("csr")!);
        using var second = newCa.Sign(secondCsr, [0x02]);

        var result = await sandbox.RunAsync(Requests.InstallCert(second, newCa.BundlePem));

        var installed = Assert.Single(AgentResult.ParseAll(result.Stdout));
        Assert.True(installed.Ok, result.ToString());
        Assert.Equal("02", installed.GetString("serial"));
        var keys = (await sandbox.NssListingAsync("-K")).Split('\n').Where(l => l.StartsWith('<')).ToArray();
        Assert.Single(keys);
        Assert.Contains("ipsec-mesh-host", keys[0], StringComparison.Ordinal);
        Assert.Single((await sandbox.NssListingAsync()).Split('\n'), l => l.StartsWith("ipsec-mesh-ca-", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Installing_the_same_certificate_twice_is_idempotent()
    {
        var (sandbox, der) = await SandboxWithCsrAsync("ec");
        using var _ = sandbox;
        using var ca = new TestCa();
        using var certificate = ca.Sign(der, [0x42]);

        var first = await sandbox.RunAsync(Requests.InstallCert(certificate, ca.BundlePem));
        var listing = await sandbox.NssListingAsync();
        var second = await sandbox.RunAsync(Requests.InstallCert(certificate, ca.BundlePem));

        Assert.Equal(AgentResult.ParseAll(first.Stdout)[0].Fields.ToJsonString(), AgentResult.ParseAll(second.Stdout)[0].Fields.ToJsonString());
        Assert.Equal(listing, await sandbox.NssListingAsync());
    }

    [Fact]
    public async Task A_certificate_not_issued_by_the_bundle_fails_bad_certificate_and_keeps_the_old_one()
    {
        var (sandbox, der) = await SandboxWithCsrAsync("ec");
        using var _ = sandbox;
        using var ca = new TestCa();
        using var other = new TestCa("unrelated CA");
        using var certificate = ca.Sign(der, [0x05]);

        var result = await sandbox.RunAsync(Requests.InstallCert(certificate, other.BundlePem));

        Assert.Equal("bad_certificate", Assert.Single(AgentResult.ParseAll(result.Stdout)).Code);
        Assert.DoesNotContain("ipsec-mesh-host", await sandbox.NssListingAsync(), StringComparison.Ordinal);
    }
}
