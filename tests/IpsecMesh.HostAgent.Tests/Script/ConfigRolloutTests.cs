using System.Text;
using IpsecMesh.HostAgent.Policy;
using IpsecMesh.HostAgent.Protocol;
using IpsecMesh.HostAgent.Tests.Policy;
using IpsecMesh.HostAgent.Tests.Support;

namespace IpsecMesh.HostAgent.Tests.Script;

/// <summary>
/// "The agent never loses what works": a config libreswan refuses, or any failure after the new
/// files were switched in, leaves an enrolled host (a real pluto with every conn loaded, in a
/// throwaway namespace) with the files, the conns, the kernel policies and the config hash it had;
/// a run killed at any point leaves whole files and the next run converges.
/// </summary>
public class ConfigRolloutTests
{
    private const string NewHash = "0123456789ab";
    private const string Guard = """ip xfrm policy list | awk '/^src/ { if (keep) print entry; entry = $0; keep = 0; next } { entry = entry "\n" $0 } /priority 4000000[0-2][0-9][0-9] / { keep = 1 } END { if (keep) print entry }'""";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>private 10.99.0.0/16, private-or-clear 172.31.0.0/16: both get kernel policies once routed.</summary>
    private static readonly MeshPolicy Previous = MeshPolicy.Load(PolicyFiles.With(PolicyGroups.Private, "10.99.0.0/16\n"), "test").Policy!;

    /// <summary>A valid change: another private range.</summary>
    private static readonly MeshPolicy Changed = MeshPolicy.Load(PolicyFiles.With(PolicyGroups.Private, "10.98.0.0/16\n"), "test").Policy!;

    private static async Task<IReadOnlyList<AgentResult>> RunAsync(HostNamespace host, AgentRequest request, bool expectSuccess = true, params string[] environment)
    {
        var result = await host.RunShellAsync(AgentDocumentRun.StandIn(request, environment), Ct);
        var lines = AgentResult.ParseAll(result.Stdout);
        if (expectSuccess) Assert.True(result.ExitCode == 0 && lines.All(l => l.Ok) && lines.Count == request.Verbs.Count, result.ToString());
        return lines;
    }

    private static async Task<string> ShellAsync(HostNamespace host, string script) => (await host.RunShellAsync(script + "\n", Ct)).Stdout;

    /// <summary>A host running <see cref="Previous"/> with its certificate: all five conns loaded and routed.</summary>
    private static async Task<HostNamespace> EnrolledHostAsync(TestCa ca)
    {
        var host = await HostNamespace.StartAsync();
        try
        {
            var enrol = await RunAsync(host, Requests.InstallAndCsr("ec", Previous));
            using var certificate = ca.Sign(Convert.FromBase64String(enrol[1].GetString("csr")!), [0x51]);
            await RunAsync(host, Requests.InstallCert(certificate, ca.BundlePem));
            var state = await HostStateAsync(host);
            foreach (var conn in ConnSets.Of("~a")) Assert.Contains($"\"{conn}\"", state, StringComparison.Ordinal);
            Assert.Contains("dst 172.31.0.0/16", state, StringComparison.Ordinal);
            Assert.Contains("dst 10.99.0.0/16", state, StringComparison.Ordinal);
            return host;
        }
        catch
        {
            // Nobody else holds the host yet: its namespace and pluto would outlive the test.
            await host.DisposeAsync();
            throw;
        }
    }

    // The status verb as SSM runs it on the host (the document's script with the request as its argument).
    private static readonly string StatusStandIn = AgentDocumentRun.StandIn(Requests.Status());

    /// <summary>What must survive a refused or failed config: conns loaded, files, config hash, kernel policies, pluto.</summary>
    private static Task<string> HostStateAsync(HostNamespace host, bool withPid = true) => ShellAsync(host, $$"""
        echo "== conns"; ipsec whack --status | sed -n 's/^000 \("[^"#]*"\).*/\1/p' | sort -u
        echo "== files"; cd /etc/ipsec.d && md5sum ipsec-mesh.conf policies/* /etc/ipsec.conf
        echo "== status hash"; ( {{StatusStandIn}} ) 2>/dev/null | grep -o '"configHash":[^,]*'
        echo "== kernel policies"; ip xfrm policy list | grep -E '^src' | sort
        {{(withPid ? "echo \"== pluto\"; cat /run/pluto/pluto.pid" : "")}}
        """);

    private static AgentRequest WithTemplate(MeshPolicy policy, Func<string, string> edit)
    {
        var bundle = policy.RenderBundle().ToDictionary(f => f.Key, f => f.Value, StringComparer.Ordinal);
        bundle["config/ipsec-mesh.conf"] = Encoding.UTF8.GetBytes(edit(Encoding.UTF8.GetString(bundle["config/ipsec-mesh.conf"])));
        return AgentRequest.For(AgentVerbs.ApplyConfig, new Dictionary<string, string> { ["configHash"] = NewHash }, bundle);
    }

    /// <summary>The template's line (1-based) holding <paramref name="text"/> for the first time.</summary>
    private static int TemplateLine(string text) =>
        PolicyFiles.Template.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n').ToList().FindIndex(l => l.Contains(text, StringComparison.Ordinal)) + 1;

    [Fact]
    public async Task A_template_libreswans_parser_refuses_changes_nothing_and_the_error_names_its_line()
    {
        using var ca = new TestCa();
        await using var host = await EnrolledHostAsync(ca);
        var before = await HostStateAsync(host);

        // The shipped template misspelt (the issue's case), an unknown keyword in the base conn the
        // groups include with also=, a bad value, and a conn libreswan cannot use (no line to name).
        var misspelt = Assert.Single(await RunAsync(host, WithTemplate(Changed, t => t.Replace("negotiationshunt=hold", "negotiationshunts=hold", StringComparison.Ordinal)), expectSuccess: false));
        var inBase = Assert.Single(await RunAsync(host, WithTemplate(Changed, t => t.Replace("narrowing=yes", "narrowings=yes", StringComparison.Ordinal)), expectSuccess: false));
        var badValue = Assert.Single(await RunAsync(host, WithTemplate(Changed, t => t.Replace("failureshunt=drop", "failureshunt=bogus", StringComparison.Ordinal)), expectSuccess: false));
        var badAuth = Assert.Single(await RunAsync(host, WithTemplate(Changed, t => t.Replace("authby=ecdsa", "authby=foo", StringComparison.Ordinal)), expectSuccess: false));

        Assert.Equal("config_failed", misspelt.Code);
        Assert.Equal($"ipsec-mesh.conf line {TemplateLine("negotiationshunt=hold")}: syntax error [negotiationshunts]; the config in force is kept", misspelt.Error);
        Assert.Equal("config_failed", inBase.Code);
        Assert.StartsWith($"ipsec-mesh.conf line {TemplateLine("narrowing=yes")}: ", inBase.Error, StringComparison.Ordinal);
        Assert.Contains("narrowings", inBase.Error, StringComparison.Ordinal);
        Assert.Equal("config_failed", badValue.Code);
        Assert.StartsWith($"ipsec-mesh.conf line {TemplateLine("failureshunt=drop")}: ", badValue.Error, StringComparison.Ordinal);
        Assert.Contains("failureshunt", badValue.Error, StringComparison.Ordinal);
        Assert.Equal("config_failed", badAuth.Code);
        Assert.Contains("authby", badAuth.Error, StringComparison.Ordinal);
        Assert.Equal(before, await HostStateAsync(host));
        Assert.Equal("", (await ShellAsync(host, Guard)).Trim());
        Assert.Equal("", (await ShellAsync(host, "ls -A /etc/ipsec.d | grep -v -x -e ipsec-mesh.conf -e policies || true")).Trim());
    }

    [Fact]
    public async Task A_conn_refused_only_when_loaded_puts_back_the_previous_files_conns_and_config_setup()
    {
        using var ca = new TestCa();
        await using var host = await EnrolledHostAsync(ca);
        var before = await HostStateAsync(host, withPid: false);
        var pid = await ShellAsync(host, "cat /run/pluto/pluto.pid");
        var conf = await ShellAsync(host, "cat /etc/ipsec.conf");
        // addconn --checkconfig accepts left=%bogus; pluto refuses the conn when it is added. With a
        // new shuntlifetime the switch also restarts pluto, so putting back restarts it once more.
        var request = WithTemplate(Changed, t => ReplaceInConn(t, "clear", "left=%defaultroute", "left=%bogus").Replace("shuntlifetime=5m", "shuntlifetime=90s", StringComparison.Ordinal));

        var failed = Assert.Single(await RunAsync(host, request, expectSuccess: false));

        Assert.Equal("config_failed", failed.Code);
        Assert.StartsWith("libreswan rejected conn clear", failed.Error, StringComparison.Ordinal);
        Assert.EndsWith("; the previous config is back in force", failed.Error, StringComparison.Ordinal);
        Assert.Equal(before, await HostStateAsync(host, withPid: false));
        Assert.Equal(conf, await ShellAsync(host, "cat /etc/ipsec.conf"));
        Assert.Contains("shuntlifetime=300000", await ShellAsync(host, "ipsec readwriteconf --config /etc/ipsec.conf"), StringComparison.Ordinal);
        var log = await ShellAsync(host, "cat /var/lib/ipsec-mesh/agent.log");
        Assert.Contains("restarting pluto: its config setup options changed", log, StringComparison.Ordinal);
        Assert.Contains("restarting pluto: the previous config setup options are back", log, StringComparison.Ordinal);
        Assert.NotEqual(pid, await ShellAsync(host, "cat /run/pluto/pluto.pid"));
        Assert.Equal("", (await ShellAsync(host, Guard)).Trim());
        Assert.Equal("gone", (await ShellAsync(host, "test -e /var/lib/ipsec-mesh/setup-pending && echo present || echo gone")).Trim());

        // The same host takes a good config afterwards.
        await RunAsync(host, Requests.Config(AgentVerbs.ApplyConfig, Changed));
        Assert.Contains("dst 10.98.0.0/16", await HostStateAsync(host), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("route", "if [ \"$1\" = --ctlsocket ] && [ \"$3\" = --route ] && [ ! -e /run/whack.failed ]; then : >/run/whack.failed; echo 'whack: route refused by the test' >&2; exit 1; fi\nexec \"$REAL\" \"$@\"", "pluto could not route conn")]
    [InlineData("listen", "if [ \"$1\" = --ctlsocket ] && [ \"$3\" = --listen ] && [ ! -e /run/whack.failed ]; then : >/run/whack.failed; echo 'whack: listen refused by the test' >&2; exit 1; fi\nexec \"$REAL\" \"$@\"", "pluto could not reload the policy groups")]
    public async Task A_failure_after_the_switch_puts_everything_back(string step, string whack, string error)
    {
        using var ca = new TestCa();
        await using var host = await EnrolledHostAsync(ca);
        var before = await HostStateAsync(host);
        // The first --route (or --listen) of the agent fails; the rollback's reload then succeeds.
        await host.WrapLibexecToolAsync("whack", whack);

        var failed = Assert.Single(await RunAsync(host, Requests.Config(AgentVerbs.ApplyConfig, Changed), expectSuccess: false));

        Assert.Equal("config_failed", failed.Code);
        Assert.Equal($"{error}{(step == "route" ? " clear" : "")}; the previous config is back in force", failed.Error);
        Assert.Equal(before, await HostStateAsync(host));
        Assert.Equal("", (await ShellAsync(host, Guard)).Trim());
    }

    [Fact]
    public async Task A_ca_bundle_import_that_fails_after_the_switch_puts_back_the_files_and_the_previous_trust()
    {
        using var ca = new TestCa();
        using var next = new TestCa("next mesh CA");
        await using var host = await EnrolledHostAsync(ca);
        var trust = await ShellAsync(host, "certutil -L -d sql:/var/lib/ipsec/nss | grep ipsec-mesh-ca- | sort");
        var before = await HostStateAsync(host);
        await host.WrapToolAsync("certutil", $$"""
            if [ "$1" = -A ] && [[ " $* " == *" ipsec-mesh-ca-{{next.CaId}} "* ]]; then echo "certutil: import refused by the test" >&2; exit 1; fi
            exec "$REAL" "$@"
            """);
        var bundle = Encoding.ASCII.GetBytes(Encoding.ASCII.GetString(ca.BundlePem) + "\n" + Encoding.ASCII.GetString(next.BundlePem) + "\n");

        var failed = Assert.Single(await RunAsync(host, Requests.ConfigWithCrls(AgentVerbs.ApplyConfig, bundle, new Dictionary<string, byte[]>(), Changed), expectSuccess: false));

        Assert.Equal("nss_failed", failed.Code);
        Assert.Equal($"could not import CA ipsec-mesh-ca-{next.CaId}; the previous config is back in force", failed.Error);
        Assert.Equal(before, await HostStateAsync(host));
        Assert.Equal(trust, await ShellAsync(host, "certutil -L -d sql:/var/lib/ipsec/nss | grep ipsec-mesh-ca- | sort"));
    }

    [Fact]
    public async Task When_putting_back_fails_too_private_networks_stay_blocked_and_no_hash_is_reported()
    {
        using var ca = new TestCa();
        await using var host = await EnrolledHostAsync(ca);
        // pluto refuses every --listen: the reload fails, and the rollback's reload fails too.
        await host.WrapLibexecToolAsync("whack", "if [ \"$1\" = --ctlsocket ] && [ \"$3\" = --listen ]; then exit 1; fi\nexec \"$REAL\" \"$@\"");

        var failed = Assert.Single(await RunAsync(host, Requests.Config(AgentVerbs.ApplyConfig, Changed), expectSuccess: false));

        Assert.Equal("config_failed", failed.Code);
        Assert.EndsWith("; putting back the previous config failed too (see the agent log)", failed.Error, StringComparison.Ordinal);
        Assert.Contains("\"configHash\":null", await HostStateAsync(host), StringComparison.Ordinal);
        // The reload guard stays: the previous files are back, so it blocks their private range.
        var guarded = await ShellAsync(host, Guard);
        Assert.Contains("dst 10.99.0.0/16", guarded, StringComparison.Ordinal);
        Assert.Contains("action block", guarded, StringComparison.Ordinal);
        Assert.Contains("dst 10.77.0.5/32", guarded, StringComparison.Ordinal);
        Assert.Contains("Operation not permitted", await ShellAsync(host, "ping -n -c 1 -W 1 10.99.3.4 2>&1 || true"), StringComparison.Ordinal);

        // The next reload that completes lifts the guard; a guard left behind goes with uninstall too.
        await host.UnwrapLibexecToolAsync("whack");
        await RunAsync(host, Requests.Config(AgentVerbs.ApplyConfig, Changed));
        Assert.Equal("", (await ShellAsync(host, Guard)).Trim());
        Assert.Contains($"\"configHash\":\"{Changed.Hash}\"", await HostStateAsync(host), StringComparison.Ordinal);
        await host.WrapLibexecToolAsync("whack", "if [ \"$1\" = --ctlsocket ] && [ \"$3\" = --listen ]; then exit 1; fi\nexec \"$REAL\" \"$@\"");
        Assert.False(Assert.Single(await RunAsync(host, Requests.Config(AgentVerbs.ApplyConfig, Previous), expectSuccess: false)).Ok);
        Assert.NotEqual("", (await ShellAsync(host, Guard)).Trim());
        await host.UnwrapLibexecToolAsync("whack");
        await RunAsync(host, Requests.Uninstall());
        Assert.Equal("", (await ShellAsync(host, Guard)).Trim());
    }

    [Theory]
    [InlineData("staged-file")]
    [InlineData("switched-file")]
    [InlineData("conns-deleted")]
    public async Task Killed_at_any_point_the_next_run_converges_and_every_file_is_whole(string point)
    {
        using var ca = new TestCa();
        await using var host = await EnrolledHostAsync(ca);
        var request = Requests.Config(AgentVerbs.ApplyConfig, Changed);

        var killed = await host.RunShellAsync(AgentDocumentRun.StandIn(request, ["IPSEC_MESH_TEST_KILL_AT=" + point]), Ct);
        Assert.NotEqual(0, killed.ExitCode);
        Assert.Empty(AgentResult.ParseAll(killed.Stdout));
        Assert.Contains($"test hook: SIGKILL at {point}", await ShellAsync(host, "cat /var/lib/ipsec-mesh/agent.log"), StringComparison.Ordinal);

        await RunAsync(host, request);

        var state = await HostStateAsync(host);
        Assert.Contains($"\"configHash\":\"{Changed.Hash}\"", state, StringComparison.Ordinal);
        Assert.Contains("dst 10.98.0.0/16", state, StringComparison.Ordinal);
        Assert.Contains("dst 172.31.0.0/16", state, StringComparison.Ordinal);
        foreach (var conn in ConnSets.Of("~a")) Assert.Contains($"\"{conn}\"", state, StringComparison.Ordinal);
        Assert.Equal("", (await ShellAsync(host, Guard)).Trim());
        // Whole files: what a fresh host gets from the same request, byte for byte.
        Assert.Equal(await FreshHostFilesAsync(), await ShellAsync(host, FilesOfTheConfig));
        Assert.Equal("1", (await ShellAsync(host, "grep -c '# BEGIN ipsec-mesh' /etc/ipsec.conf")).Trim());
        Assert.Equal($"{Changed.Hash}\n", await ShellAsync(host, "cat /var/lib/ipsec-mesh/config-hash"));
        // Nothing of the killed run is left: no staged files, temporary files or work directory.
        Assert.Equal("", (await ShellAsync(host, "find /etc/ipsec.d /var/lib/ipsec-mesh /etc/ipsec.conf -name '*.ipsec-mesh-new' -o -name '.ipsec-mesh-staged' -o -name 'work.*'")).Trim());
        // And the converged host needs nothing more from the same request.
        await RunAsync(host, request);
        Assert.EndsWith("conns unchanged; pluto keeps them", (await ShellAsync(host, "grep -e 'conns unchanged' -e 'running apply-config' /var/lib/ipsec-mesh/agent.log | tail -1")).Trim(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ipsec_conf_is_replaced_by_a_rename_and_written_in_place_only_when_it_is_a_bind_mount()
    {
        using var ca = new TestCa();
        await using var host = await HostNamespace.StartAsync();
        const string Elsewhere = "IPSEC_MESH_IPSEC_CONF=/run/ipsec-mesh-test/ipsec.conf";
        await ShellAsync(host, "mkdir -p /run/ipsec-mesh-test && cp /etc/ipsec.conf /run/ipsec-mesh-test/ipsec.conf");
        var inode = await ShellAsync(host, "stat -c %i /run/ipsec-mesh-test/ipsec.conf");

        await RunAsync(host, Requests.Config(AgentVerbs.Install, Previous), true, Elsewhere);

        Assert.NotEqual(inode, await ShellAsync(host, "stat -c %i /run/ipsec-mesh-test/ipsec.conf"));
        Assert.Contains("\tshuntlifetime=5m\n", await ShellAsync(host, "cat /run/ipsec-mesh-test/ipsec.conf"), StringComparison.Ordinal);
        Assert.Equal("-rw-r--r--", (await ShellAsync(host, "stat -c %A /run/ipsec-mesh-test/ipsec.conf")).Trim());
        Assert.DoesNotContain("cannot be replaced by a rename", await ShellAsync(host, "cat /var/lib/ipsec-mesh/agent.log"), StringComparison.Ordinal);
        await RunAsync(host, Requests.Uninstall(), true, Elsewhere);

        // The stock path here is a bind mount, as in the end-to-end suite: written in place, and said so.
        var bound = await ShellAsync(host, "stat -c %i /etc/ipsec.conf");
        await RunAsync(host, Requests.Config(AgentVerbs.Install, Previous));
        Assert.Equal(bound, await ShellAsync(host, "stat -c %i /etc/ipsec.conf"));
        Assert.Contains("\tshuntlifetime=5m\n", await ShellAsync(host, "cat /etc/ipsec.conf"), StringComparison.Ordinal);
        Assert.Contains("/etc/ipsec.conf cannot be replaced by a rename (a bind mount, a symbolic link or a read-only directory): writing it in place",
            await ShellAsync(host, "cat /var/lib/ipsec-mesh/agent.log"), StringComparison.Ordinal);
        Assert.Equal("", (await ShellAsync(host, "ls -A /etc | grep ipsec-mesh-new || true")).Trim());
    }

    private const string FilesOfTheConfig = "cd /etc/ipsec.d && for f in ipsec-mesh.conf policies/*; do echo \"== $f\"; cat \"$f\"; done; sed -n '/# BEGIN ipsec-mesh/,/# END ipsec-mesh/p' /etc/ipsec.conf";

    /// <summary>The conns and policy files (and ipsec.conf's block) a fresh host gets from <see cref="Changed"/>.</summary>
    private static async Task<string> FreshHostFilesAsync()
    {
        await using var fresh = await HostNamespace.StartAsync();
        await RunAsync(fresh, Requests.Config(AgentVerbs.Install, Changed));
        return await ShellAsync(fresh, FilesOfTheConfig);
    }

    private static string ReplaceInConn(string template, string conn, string from, string to)
    {
        var start = template.IndexOf($"\nconn {conn}\n", StringComparison.Ordinal);
        Assert.True(start >= 0, $"no conn {conn}");
        var at = template.IndexOf(from, start, StringComparison.Ordinal);
        return template[..at] + to + template[(at + from.Length)..];
    }
}
