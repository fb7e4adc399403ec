using System.Text;
using IpsecMesh.HostAgent.Policy;
using IpsecMesh.HostAgent.Protocol;
using IpsecMesh.HostAgent.Tests.Policy;
using IpsecMesh.HostAgent.Tests.Support;

namespace IpsecMesh.HostAgent.Tests.Script;

/// <summary>
/// The request's peers file: once a verb has loaded the certificate conns, the host initiates to
/// each listed peer (a connect() that triggers the kernel's acquire; pluto logs it as an on-demand
/// initiation), so a peer holding a failure shunt from trying the host earlier answers as
/// responder and loses the shunt. A malformed list is refused before anything changes.
/// </summary>
public class LatePeerTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static AgentRequest WithPeers(AgentRequest request, string peers)
    {
        var files = request.Files.ToDictionary(f => f.Key, f => f.Value, StringComparer.Ordinal);
        files["peers"] = Encoding.ASCII.GetBytes(peers);
        return new AgentRequest(request.Verbs, request.Parameters, files);
    }

    private static async Task<string[]> InitiationsAsync(HostNamespace host) =>
        (await RotationTests.ShellAsync(host, "grep -o 'initiate on-demand for packet 10.77.0.5:[0-9]*-UDP->[0-9.]*:9' /var/log/pluto.log | sed 's/.*->//' || true"))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public async Task The_first_certificate_and_a_config_change_initiate_to_every_listed_peer_but_the_host_itself()
    {
        using var ca = new TestCa();
        await using var host = await HostNamespace.StartAsync();
        const string Peers = "10.99.0.9\n10.99.0.13\n10.77.0.5\n";
        // Before the host has a certificate there is nothing to initiate with.
        var enrol = await RotationTests.RunAsync(host, WithPeers(Requests.InstallAndCsr("ec", RotationTests.Policy), Peers));
        Assert.Contains("no host certificate yet: not initiating to the 3 listed peers", await RotationTests.ShellAsync(host, "cat /var/lib/ipsec-mesh/agent.log"), StringComparison.Ordinal);
        using var certificate = ca.Sign(Convert.FromBase64String(enrol[1].GetString("csr")!), [0x11]);

        await RotationTests.RunAsync(host, WithPeers(Requests.InstallCert(certificate, ca.BundlePem), Peers), true, "IPSEC_MESH_PEER_SA_WAIT=2");

        Assert.Equal(["10.99.0.13:9", "10.99.0.9:9"], (await InitiationsAsync(host)).Order(StringComparer.Ordinal));
        var log = await RotationTests.ShellAsync(host, "cat /var/lib/ipsec-mesh/agent.log");
        Assert.Contains("initiated to 2 listed peers", log, StringComparison.Ordinal);
        // No peer answers here: the verb waited for their SAs, then reported anyway.
        Assert.True(log.Contains("no SA after 2s with 2 of 2 initiated peers: 10.99.0.9 10.99.0.13", StringComparison.Ordinal), log);

        // A config that changes nothing reloads nothing, so it initiates nothing; a changed one does.
        await RotationTests.RunAsync(host, WithPeers(Requests.Config(AgentVerbs.ApplyConfig, RotationTests.Policy), "10.99.0.21\n"));
        Assert.Equal(2, (await InitiationsAsync(host)).Length);
        var changed = MeshPolicy.Load(PolicyFiles.With(PolicyGroups.Private, "10.99.0.0/16\n10.98.0.0/16\n"), "test").Policy!;
        await RotationTests.RunAsync(host, WithPeers(Requests.Config(AgentVerbs.ApplyConfig, changed), "10.99.0.21\n10.98.3.4\n"), true, "IPSEC_MESH_PEER_SA_WAIT=1");
        var after = await InitiationsAsync(host);
        Assert.Contains("10.99.0.21:9", after);
        Assert.Contains("10.98.3.4:9", after);
    }

    [Theory]
    [InlineData("10.99.0.9\nnot-an-address\n", "file peers line 2: not an IP address")]
    [InlineData("10.99.0.256\n", "file peers line 1: not an IP address")]
    [InlineData("10.99.0.9; reboot\n", "file peers line 1: not an IP address")]
    [InlineData("../etc/passwd\n", "file peers line 1: not an IP address")]
    [InlineData("fd00::1\n\n10.99.0.0/24\n", "file peers line 3: not an IP address")]
    public async Task A_malformed_peers_file_is_refused_before_anything_changes(string peers, string error)
    {
        Prerequisites.Require("flock", "certutil", "openssl");
        using var sandbox = new AgentSandbox();
        await sandbox.InitNssAsync();
        using var ca = new TestCa();
        using var foreign = ca.SignForeignKey();
        var before = await sandbox.NssListingAsync();

        var result = await sandbox.RunAsync(WithPeers(Requests.InstallCert(foreign, ca.BundlePem), peers));

        var line = Assert.Single(AgentResult.ParseAll(result.Stdout));
        Assert.Equal(("bad_request", error), (line.Code, line.Error));
        Assert.Equal(2, result.ExitCode);
        Assert.Equal(before, await sandbox.NssListingAsync());
        Assert.Equal("30\n", File.ReadAllText(Path.Combine(sandbox.SysctlDir, "net", "core", "xfrm_acq_expires")));
    }

    [Fact]
    public async Task More_than_a_thousand_peers_are_refused_and_a_thousand_are_not()
    {
        Prerequisites.Require("flock");
        using var sandbox = new AgentSandbox();
        var thousand = string.Concat(Enumerable.Range(0, 1000).Select(i => $"10.{i / 250}.{i % 250}.1\n"));

        var refused = await sandbox.RunAsync(WithPeers(Requests.Config(AgentVerbs.ApplyConfig), thousand + "10.200.0.1\n"));
        var accepted = await sandbox.RunAsync(WithPeers(Requests.Config(AgentVerbs.ApplyConfig), thousand));

        Assert.Equal(("bad_request", "file peers lists more than 1000 addresses"), (Assert.Single(AgentResult.ParseAll(refused.Stdout)).Code, Assert.Single(AgentResult.ParseAll(refused.Stdout)).Error));
        // Past the peers check: apply-config on a host without the mesh.
        Assert.Equal("not_running", Assert.Single(AgentResult.ParseAll(accepted.Stdout)).Code);
    }
}
