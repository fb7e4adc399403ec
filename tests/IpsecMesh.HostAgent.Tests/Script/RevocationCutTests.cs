using System.Text;
using IpsecMesh.HostAgent.Policy;
using IpsecMesh.HostAgent.Protocol;
using IpsecMesh.HostAgent.Tests.Policy;
using IpsecMesh.HostAgent.Tests.Support;

namespace IpsecMesh.HostAgent.Tests.Script;

/// <summary>
/// A new CRL in force at once and the live SAs with newly revoked peers torn down (issue 13 item 4),
/// and CA trust changes without a restart, on a real pluto 4.10 in a throwaway namespace (no peers:
/// the whack calls are what is checked; the end-to-end suite measures the cut on live SAs).
/// </summary>
public class RevocationCutTests
{
    private const string Nss = "sql:/var/lib/ipsec/nss";
    /// <summary>Records every whack call in /run/whack.calls and runs the real one.</summary>
    private const string RecordingWhack = "exec \"$REAL\" \"$@\"";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<AgentResult> RunAsync(HostNamespace host, AgentRequest request)
    {
        var result = await host.RunShellAsync(AgentDocumentRun.StandIn(request), Ct);
        var lines = AgentResult.ParseAll(result.Stdout);
        Assert.True(lines.Count == 1, result.ToString());
        return lines[0];
    }

    private static async Task<string> ShellAsync(HostNamespace host, string script) => (await host.RunShellAsync(script + "\n", Ct)).Stdout;

    private static Dictionary<string, byte[]> Crls(TestCa ca, byte[] der) => new() { [ca.CaId] = der };

    /// <summary>The whack calls since the last look, without the control socket option.</summary>
    private static async Task<string[]> WhackCallsAsync(HostNamespace host, string matching) =>
        (await ShellAsync(host, $"grep -e '{matching}' /run/whack.calls | sed 's/^--ctlsocket [^ ]* //'; rm -f /run/whack.calls")).Split('\n', StringSplitOptions.RemoveEmptyEntries);

    private static string[] Addresses(AgentResult result) => [.. result.Fields["cutPeers"]!.AsArray().Select(a => a!.GetValue<string>())];

    [Fact]
    public async Task A_crl_adding_a_serial_cuts_exactly_its_addresses_and_a_re_signed_crl_cuts_nothing()
    {
        await using var host = await HostNamespace.StartAsync();
        using var ca = new TestCa();
        const string peers = "33 10.77.0.11\n1122 10.77.0.9\n1122 10.77.0.10\n0044 10.77.0.12\n";
        var installed = await RunAsync(host, Requests.ConfigWithCrls(AgentVerbs.Install, ca.BundlePem, Crls(ca, ca.Crl(1, [0x33]))));
        Assert.True(installed.Ok, installed.Fields.ToJsonString());
        await host.WrapLibexecToolAsync("whack", RecordingWhack);

        // Serial 1122 is new on CRL 2; 33 was revoked already; 44 is on no CRL.
        var revoked = await RunAsync(host, Requests.ConfigWithCrls(AgentVerbs.ApplyConfig, ca.BundlePem, Crls(ca, ca.Crl(2, [0x33], [0x11, 0x22])), revokedPeers: peers));

        Assert.True(revoked.Ok, revoked.Fields.ToJsonString());
        Assert.Equal("trigger", revoked.GetString("crlRefresh"));
        Assert.Equal(["10.77.0.9", "10.77.0.10"], Addresses(revoked));
        Assert.Equal(["--impair trigger:CHECK_CRLS", "--deleteid --name 10.77.0.9", "--deleteid --name 10.77.0.10"],
            await WhackCallsAsync(host, "--impair\\|--deleteid"));

        // A re-signed CRL (same serials, newer number) is put in force and cuts nothing; nor does the same CRL again.
        var third = ca.Crl(3, [0x33], [0x11, 0x22]);
        var resigned = await RunAsync(host, Requests.ConfigWithCrls(AgentVerbs.ApplyConfig, ca.BundlePem, Crls(ca, third), revokedPeers: peers));
        var unchanged = await RunAsync(host, Requests.ConfigWithCrls(AgentVerbs.ApplyConfig, ca.BundlePem, Crls(ca, third), revokedPeers: peers));

        Assert.True(resigned.Ok, resigned.Fields.ToJsonString());
        Assert.Equal("trigger", resigned.GetString("crlRefresh"));
        Assert.Empty(Addresses(resigned));
        Assert.True(unchanged.Ok, unchanged.Fields.ToJsonString());
        Assert.Equal("none", unchanged.GetString("crlRefresh"));
        Assert.Empty(Addresses(unchanged));
        Assert.Equal(["--impair trigger:CHECK_CRLS"], await WhackCallsAsync(host, "--impair\\|--deleteid"));
        Assert.Contains("revoked certs: 2", await ShellAsync(host, "ipsec whack --listcrls"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_pluto_confirming_the_crl_the_agent_restarts_pluto_and_says_so()
    {
        await using var host = await HostNamespace.StartAsync();
        using var ca = new TestCa();
        Assert.True((await RunAsync(host, Requests.ConfigWithCrls(AgentVerbs.Install, ca.BundlePem, Crls(ca, ca.Crl(1))))).Ok);
        var pid = await ShellAsync(host, "cat /run/pluto/pluto.pid");
        // As a pluto without crlcheckinterval answers the trigger: a complaint, and exit 0.
        await host.WrapLibexecToolAsync("whack", """
            if [ "$3" = --impair ]; then echo "config crlcheckinterval= is unset"; exit 0; fi
            exec "$REAL" "$@"
            """);

        var revoked = await RunAsync(host, Requests.ConfigWithCrls(AgentVerbs.ApplyConfig, ca.BundlePem, Crls(ca, ca.Crl(2, [0x51])), revokedPeers: "51 10.77.0.9\n"));

        Assert.True(revoked.Ok, revoked.Fields.ToJsonString());
        Assert.Equal("restart", revoked.GetString("crlRefresh"));
        Assert.NotEqual(pid, await ShellAsync(host, "cat /run/pluto/pluto.pid"));
        Assert.Contains("revoked certs: 1", await ShellAsync(host, "ipsec whack --listcrls"), StringComparison.Ordinal);
        Assert.Contains("restarting pluto: pluto did not confirm the new CRL of CA " + ca.CaId, await ShellAsync(host, "cat /var/lib/ipsec-mesh/agent.log"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_ca_added_is_trusted_at_once_and_a_ca_removed_is_pending_until_pluto_restarts()
    {
        await using var host = await HostNamespace.StartAsync();
        using var first = new TestCa("ipsec-mesh test CA1");
        using var second = new TestCa("ipsec-mesh test CA2");
        var both = Encoding.ASCII.GetBytes(Encoding.ASCII.GetString(first.BundlePem) + "\n" + Encoding.ASCII.GetString(second.BundlePem));
        Assert.True((await RunAsync(host, Requests.ConfigWithCrls(AgentVerbs.Install, first.BundlePem, Crls(first, first.Crl(1, [0x61]))))).Ok);
        await host.WrapLibexecToolAsync("whack", RecordingWhack);
        var pid = await ShellAsync(host, "cat /run/pluto/pluto.pid");

        // The rotation's first step: the bundle gains CA2. pluto 4.x drops its CA cache (never --rereadcerts there).
        var secondCrl = second.Crl(1);
        var added = await RunAsync(host, Requests.ConfigWithCrls(AgentVerbs.ApplyConfig, both, new Dictionary<string, byte[]> { [second.CaId] = secondCrl }));
        Assert.True(added.Ok, added.Fields.ToJsonString());
        Assert.False(added.GetBool("caRemovalPending"));
        Assert.Equal(["--impair trigger:FREE_ROOT_CERTS"], await WhackCallsAsync(host, "FREE_ROOT_CERTS\\|--rereadcerts"));
        Assert.Contains("Root CA certificate", await ShellAsync(host, "ipsec whack --listcacerts"), StringComparison.Ordinal);

        // The last step: CA1 leaves. NSS drops the CA but keeps its CRL (pluto still trusts CA1 until it restarts).
        var removed = await RunAsync(host, Requests.ConfigWithCrls(AgentVerbs.ApplyConfig, second.BundlePem, Crls(second, secondCrl)));
        Assert.True(removed.Ok, removed.Fields.ToJsonString());
        Assert.True(removed.GetBool("caRemovalPending"));
        Assert.True((await RunAsync(host, Requests.Status())).GetBool("caRemovalPending"));
        Assert.DoesNotContain($"ipsec-mesh-ca-{first.CaId}", await ShellAsync(host, $"certutil -L -d {Nss}"), StringComparison.Ordinal);
        Assert.Contains("revoked certs: 1", await ShellAsync(host, "ipsec whack --listcrls"), StringComparison.Ordinal);
        Assert.Equal(pid, await ShellAsync(host, "cat /run/pluto/pluto.pid"));

        // Any pluto restart clears the note: here the agent's own, for new config setup options.
        var restarted = await RunAsync(host, Requests.ConfigWithCrls(AgentVerbs.ApplyConfig, second.BundlePem, Crls(second, secondCrl),
            MeshPolicy.Load(PolicyFiles.With(PolicyGroups.TemplateFile, PolicyFiles.Template.Replace("crlcheckinterval=600", "crlcheckinterval=300", StringComparison.Ordinal)), "test").Policy!));
        Assert.True(restarted.Ok, restarted.Fields.ToJsonString());
        Assert.NotEqual(pid, await ShellAsync(host, "cat /run/pluto/pluto.pid"));
        Assert.False(restarted.GetBool("caRemovalPending"));
        Assert.False((await RunAsync(host, Requests.Status())).GetBool("caRemovalPending"));
        Assert.Equal("gone", (await ShellAsync(host, "test -e /var/lib/ipsec-mesh/ca-removal-pending && echo present || echo gone")).Trim());
    }
}
