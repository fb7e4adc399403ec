using System.Text;
using IpsecMesh.HostAgent.Protocol;
using IpsecMesh.HostAgent.Tests.Support;

namespace IpsecMesh.HostAgent.Tests.Script;

/// <summary>
/// install-cert with a batch (file host-certs, docs/host-agent-protocol.md): the host installs the entry
/// of its own instance id (AWS_SSM_INSTANCE_ID, else IMDSv2) and never another's; a batch without its
/// entry fails not_in_batch (exit 14) and changes nothing. Against a real NSS database, no pluto needed.
/// </summary>
public class CertificateBatchTests
{
    private const string Self = "i-0123456789abcdef0";
    private const string Other = "i-0fedcba9876543210";

    private static async Task<(AgentSandbox Sandbox, byte[] Csr)> SandboxWithCsrAsync()
    {
        Prerequisites.Require("flock", "certutil", "openssl");
        var sandbox = new AgentSandbox();
        await sandbox.InitNssAsync();
        var result = await sandbox.RunAsync(Requests.Csr("ec"));
        var csr = Assert.Single(AgentResult.ParseAll(result.Stdout));
        Assert.True(csr.Ok, result.ToString());
        return (sandbox, Convert.FromBase64String(csr.GetString("csr")!));
    }

    private static AgentRequest Batch(byte[] bundle, params (string InstanceId, string Pem)[] entries) =>
        AgentRequest.For(AgentVerbs.InstallCert, files: new Dictionary<string, byte[]>
        {
            [CertificateBatch.FileName] = CertificateBatch.Render(entries.Select(e => KeyValuePair.Create(e.InstanceId, e.Pem)).ToList()),
            ["ca-bundle.pem"] = bundle,
        });

    [Fact]
    public async Task A_host_installs_its_own_entry_of_a_batch_by_AWS_SSM_INSTANCE_ID()
    {
        var (sandbox, der) = await SandboxWithCsrAsync();
        using var _ = sandbox;
        using var ca = new TestCa();
        using var mine = ca.Sign(der, [0x01, 0x11]);
        // Another host's certificate, listed before this host's: for another key, which this host must not even try.
        using var theirs = ca.SignForeignKey();
        sandbox.Environment["AWS_SSM_INSTANCE_ID"] = Self;

        var result = await sandbox.RunAsync(Batch(ca.BundlePem, (Other, theirs.ExportCertificatePem()), (Self, mine.ExportCertificatePem())));

        var installed = Assert.Single(AgentResult.ParseAll(result.Stdout));
        Assert.True(installed.Ok, result.ToString());
        Assert.Equal("0111", installed.GetString("serial"));
    }

    [Fact]
    public async Task A_batch_without_the_hosts_entry_fails_not_in_batch_and_installs_nothing()
    {
        var (sandbox, der) = await SandboxWithCsrAsync();
        using var _ = sandbox;
        using var ca = new TestCa();
        // A certificate for this host's own key, filed under another instance id: still not this host's to take.
        using var forOther = ca.Sign(der, [0x02, 0x22]);
        sandbox.Environment["AWS_SSM_INSTANCE_ID"] = Self;
        var before = await sandbox.NssListingAsync();

        var result = await sandbox.RunAsync(Batch(ca.BundlePem, (Other, forOther.ExportCertificatePem())));

        var failed = Assert.Single(AgentResult.ParseAll(result.Stdout));
        Assert.Equal("not_in_batch", failed.Code);
        Assert.Contains(Self, failed.Error, StringComparison.Ordinal);
        Assert.Equal(14, result.ExitCode);
        Assert.Equal(before, await sandbox.NssListingAsync());
    }

    [Fact]
    public async Task Without_AWS_SSM_INSTANCE_ID_the_host_asks_IMDSv2_for_its_instance_id()
    {
        Prerequisites.Require("curl");
        var (sandbox, der) = await SandboxWithCsrAsync();
        using var _ = sandbox;
        using var ca = new TestCa();
        using var mine = ca.Sign(der, [0x03, 0x33]);
        using var imds = new FakeImds(Self, "eu-west-1", "123456789012", "aws");
        sandbox.Environment["IPSEC_MESH_IMDS_URL"] = imds.Url;

        var result = await sandbox.RunAsync(Batch(ca.BundlePem, (Self, mine.ExportCertificatePem())));

        var installed = Assert.Single(AgentResult.ParseAll(result.Stdout));
        Assert.True(installed.Ok, result.ToString());
        Assert.Equal("0333", installed.GetString("serial"));
        Assert.Equal(0, imds.UnauthenticatedGets);
    }

    [Theory]
    [InlineData("i-0123456789abcdef0 not*base64\n", "line 1")]
    [InlineData("host-a QUJD\n", "line 1")]
    [InlineData("i-0123456789abcdef0 QUJD\ni-0123456789abcdef0 QUJD\n", "line 2: i-0123456789abcdef0 a second time")]
    public async Task A_malformed_batch_fails_bad_request_naming_the_line(string file, string where)
    {
        Prerequisites.Require("flock", "certutil", "openssl");
        using var sandbox = new AgentSandbox();
        await sandbox.InitNssAsync();
        using var ca = new TestCa();
        sandbox.Environment["AWS_SSM_INSTANCE_ID"] = Self;
        var request = AgentRequest.For(AgentVerbs.InstallCert, files: new Dictionary<string, byte[]>
        {
            [CertificateBatch.FileName] = Encoding.ASCII.GetBytes(file),
            ["ca-bundle.pem"] = ca.BundlePem,
        });

        var result = await sandbox.RunAsync(request);

        var failed = Assert.Single(AgentResult.ParseAll(result.Stdout));
        Assert.Equal("bad_request", failed.Code);
        Assert.Contains(where, failed.Error, StringComparison.Ordinal);
    }
}
