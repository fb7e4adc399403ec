using IpsecMesh.HostAgent.Policy;
using IpsecMesh.HostAgent.Protocol;
using IpsecMesh.HostAgent.Tests.Policy;
using IpsecMesh.HostAgent.Tests.Support;

namespace IpsecMesh.HostAgent.Tests.Script;

/// <summary>
/// The whole life of a host with a real pluto: the rendered SSM command runs the embedded script on
/// libreswan's stock paths inside a throwaway network and mount namespace. (This kernel has no
/// ESP, so tunnels are the end-to-end suite's business; here pluto, NSS and the files are real.)
/// </summary>
public class LifecycleTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<IReadOnlyList<AgentResult>> RunAsync(HostNamespace host, AgentRequest request, bool expectSuccess = true)
    {
        var result = await host.RunShellAsync(AgentDocumentRun.StandIn(request), Ct);
        var lines = AgentResult.ParseAll(result.Stdout);
        if (expectSuccess) Assert.True(result.ExitCode == 0 && lines.All(l => l.Ok) && lines.Count == request.Verbs.Count, result.ToString());
        return lines;
    }

    private static async Task<string> ShellAsync(HostNamespace host, string script) => (await host.RunShellAsync(script + "\n", Ct)).Stdout;

    [Fact]
    public async Task Install_enrol_reconfigure_and_uninstall_a_host_with_a_real_pluto()
    {
        await using var host = await HostNamespace.StartAsync();
        using var ca = new TestCa();

        var enrol = await RunAsync(host, Requests.InstallAndCsr("rsa"));
        Assert.Matches(@"^[0-9]+\.[0-9]+", enrol[0].GetString("libreswan"));
        Assert.Equal(MeshPolicy.Default.Hash, enrol[0].GetString("configHash"));
        Assert.True((await RunAsync(host, Requests.Status()))[0].GetBool("running"));
        var clear = await ShellAsync(host, "cat /etc/ipsec.d/policies/clear");
        Assert.Contains("10.77.0.5/32", clear, StringComparison.Ordinal);
        Assert.Contains("169.254.169.254/32", clear, StringComparison.Ordinal);
        Assert.Contains("169.254.169.253/32", clear, StringComparison.Ordinal);
        Assert.Contains("172.31.0.2/32", clear, StringComparison.Ordinal);

        using var certificate = ca.Sign(Convert.FromBase64String(enrol[1].GetString("csr")!), [0x11, 0x22]);
        await RunAsync(host, Requests.InstallCert(certificate, ca.BundlePem));
        var conns = await ShellAsync(host, "ipsec whack --status");
        Assert.Contains("\"private-or-clear~a\"", conns, StringComparison.Ordinal);
        Assert.Contains("\"clear-or-private~a\"", conns, StringComparison.Ordinal);
        var status = (await RunAsync(host, Requests.Status()))[0];
        Assert.Equal("1122", status.GetString("certSerial"));

        // Rotation: the new certificate replaces the old one; pluto switched to the other conn set and holds only its key.
        var renewal = await RunAsync(host, Requests.Csr("rsa"));
        using var renewed = ca.Sign(Convert.FromBase64String(renewal[0].GetString("csr")!), [0x33, 0x44]);
        await RunAsync(host, Requests.InstallCert(renewed, ca.BundlePem));
        Assert.Equal("3344", (await RunAsync(host, Requests.Status()))[0].GetString("certSerial"));
        Assert.Single(PrivateKeyLines(await ShellAsync(host, "ipsec whack --listpubkeys")));
        Assert.Contains("\"private-or-clear~b\"", await ShellAsync(host, "ipsec whack --status"), StringComparison.Ordinal);

        var changed = MeshPolicy.Load(PolicyFiles.With(PolicyGroups.Private, "10.99.0.0/16\n"), "test").Policy!;
        await RunAsync(host, Requests.Config(AgentVerbs.ApplyConfig, changed));
        Assert.Equal(changed.Hash, (await RunAsync(host, Requests.Status()))[0].GetString("configHash"));
        Assert.Contains("10.99.0.0/16", await ShellAsync(host, "cat /etc/ipsec.d/policies/private"), StringComparison.Ordinal);
        Assert.True((await RunAsync(host, Requests.Status()))[0].GetBool("running"));

        await RunAsync(host, Requests.Uninstall());
        var after = (await RunAsync(host, Requests.Status()))[0];
        Assert.False(after.GetBool("running"));
        Assert.Null(after.GetString("certSerial"));
        Assert.Equal("gone", (await ShellAsync(host, "test -e /etc/ipsec.d/ipsec-mesh.conf && echo present || echo gone")).Trim());
        Assert.DoesNotContain("ipsec-mesh", await ShellAsync(host, "certutil -L -d sql:/var/lib/ipsec/nss"), StringComparison.Ordinal);
        await RunAsync(host, Requests.Uninstall());
    }

    [Fact]
    public async Task Install_twice_is_idempotent_and_keeps_one_pluto()
    {
        await using var host = await HostNamespace.StartAsync();

        await RunAsync(host, Requests.Config(AgentVerbs.Install));
        var firstPid = await ShellAsync(host, "cat /run/pluto/pluto.pid");
        await RunAsync(host, Requests.Config(AgentVerbs.Install));

        Assert.Equal(firstPid, await ShellAsync(host, "cat /run/pluto/pluto.pid"));
        Assert.Equal("1", (await ShellAsync(host, "pgrep -c -F /run/pluto/pluto.pid pluto || true")).Trim());
    }

    [Fact]
    public async Task A_policy_the_agent_cannot_accept_fails_config_failed()
    {
        await using var host = await HostNamespace.StartAsync();
        var bundle = MeshPolicy.Default.RenderBundle().ToDictionary(f => f.Key, f => f.Value);
        bundle["config/policies/clear"] = "0.0.0.0/0\n"u8.ToArray();
        var request = AgentRequest.For(AgentVerbs.Install, new Dictionary<string, string> { ["configHash"] = "0123456789ab" }, bundle);

        var lines = await RunAsync(host, request, expectSuccess: false);

        Assert.Equal("config_failed", Assert.Single(lines).Code);
    }

    [Fact]
    public async Task Config_setup_options_go_into_ipsec_conf_between_markers_and_restart_pluto_only_when_changed()
    {
        await using var host = await HostNamespace.StartAsync();
        var stock = await ShellAsync(host, "cat /etc/ipsec.conf");

        await RunAsync(host, Requests.Config(AgentVerbs.Install));
        var conf = await ShellAsync(host, "cat /etc/ipsec.conf");
        Assert.Contains("\tshuntlifetime=5m\n", conf, StringComparison.Ordinal);
        Assert.Equal(stock, RemoveManagedBlock(conf));
        Assert.DoesNotMatch("(?m)^config setup", await ShellAsync(host, "cat /etc/ipsec.d/ipsec-mesh.conf"));
        // What pluto will read: libreswan's own parser turns 5m into milliseconds.
        Assert.Contains("shuntlifetime=300000", await ShellAsync(host, "ipsec readwriteconf --config /etc/ipsec.conf"), StringComparison.Ordinal);
        var firstPid = await ShellAsync(host, "cat /run/pluto/pluto.pid");

        await RunAsync(host, Requests.Config(AgentVerbs.ApplyConfig));
        Assert.Equal(firstPid, await ShellAsync(host, "cat /run/pluto/pluto.pid"));

        var shorter = WithShuntLifetime("90s");
        await RunAsync(host, Requests.Config(AgentVerbs.ApplyConfig, shorter));
        Assert.NotEqual(firstPid, await ShellAsync(host, "cat /run/pluto/pluto.pid"));
        Assert.Contains("shuntlifetime=90000", await ShellAsync(host, "ipsec readwriteconf --config /etc/ipsec.conf"), StringComparison.Ordinal);
        // The restarted pluto has the conns back (no certificate yet: only those that need none).
        Assert.Contains("\"block\"", await ShellAsync(host, "ipsec whack --status"), StringComparison.Ordinal);

        await RunAsync(host, Requests.Uninstall());
        Assert.Equal(stock, await ShellAsync(host, "cat /etc/ipsec.conf"));
    }

    [Fact]
    public async Task A_pending_setup_change_restarts_pluto_even_when_ipsec_conf_already_says_it()
    {
        await using var host = await HostNamespace.StartAsync();
        await RunAsync(host, Requests.Config(AgentVerbs.Install));
        var firstPid = await ShellAsync(host, "cat /run/pluto/pluto.pid");
        var shorter = WithShuntLifetime("90s");

        // What a verb leaves when it fails after writing ipsec.conf and before restarting pluto.
        await ShellAsync(host, "sed -i 's/shuntlifetime=5m/shuntlifetime=90s/' /etc/ipsec.conf && : >/var/lib/ipsec-mesh/setup-pending");
        await RunAsync(host, Requests.Config(AgentVerbs.ApplyConfig, shorter));

        Assert.NotEqual(firstPid, await ShellAsync(host, "cat /run/pluto/pluto.pid"));
        Assert.Equal("gone", (await ShellAsync(host, "test -e /var/lib/ipsec-mesh/setup-pending && echo present || echo gone")).Trim());
        var secondPid = await ShellAsync(host, "cat /run/pluto/pluto.pid");
        await RunAsync(host, Requests.Config(AgentVerbs.ApplyConfig, shorter));
        Assert.Equal(secondPid, await ShellAsync(host, "cat /run/pluto/pluto.pid"));
    }

    private static MeshPolicy WithShuntLifetime(string lifetime) =>
        MeshPolicy.Load(PolicyFiles.With(PolicyGroups.TemplateFile,
            PolicyFiles.Template.Replace("shuntlifetime=5m", "shuntlifetime=" + lifetime, StringComparison.Ordinal)), "test").Policy!;

    private static string[] PrivateKeyLines(string listing) =>
        listing.Split('\n').Where(l => l.Contains("(has private key)", StringComparison.Ordinal)).Select(l => l.Trim()).Distinct().ToArray();

    private static string RemoveManagedBlock(string conf)
    {
        var lines = conf.Split('\n').ToList();
        var begin = lines.FindIndex(l => l.TrimStart().StartsWith("# BEGIN ipsec-mesh", StringComparison.Ordinal));
        var end = lines.FindIndex(l => l.Trim() == "# END ipsec-mesh");
        Assert.True(begin >= 0 && end > begin, conf);
        lines.RemoveRange(begin, end - begin + 1);
        return string.Join('\n', lines);
    }
}
