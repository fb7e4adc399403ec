using IpsecMesh.HostAgent.Protocol;
using IpsecMesh.HostAgent.Tests.Support;

namespace IpsecMesh.HostAgent.Tests.Script;

/// <summary>
/// CRLs travel with install and apply-config (file crl/&lt;caId&gt;.crl) and land in the real NSS
/// database of a host with a real pluto (libreswan's stock paths in a throwaway namespace).
/// </summary>
public class CrlTests
{
    private const string Nss = "sql:/var/lib/ipsec/nss";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<IReadOnlyList<AgentResult>> RunAsync(HostNamespace host, AgentRequest request)
    {
        var result = await host.RunShellAsync(AgentDocumentRun.StandIn(request), Ct);
        var lines = AgentResult.ParseAll(result.Stdout);
        Assert.True(lines.Count == request.Verbs.Count, result.ToString());
        return lines;
    }

    private static async Task<string> ShellAsync(HostNamespace host, string script) => (await host.RunShellAsync(script + "\n", Ct)).Stdout;

    private static Dictionary<string, byte[]> Crls(TestCa ca, byte[] der) => new() { [ca.CaId] = der };

    [Fact]
    public async Task Install_loads_the_crl_pluto_lists_it_and_a_newer_one_replaces_it_without_touching_the_conns()
    {
        await using var host = await HostNamespace.StartAsync();
        using var ca = new TestCa();

        var installed = Assert.Single(await RunAsync(host, Requests.ConfigWithCrls(AgentVerbs.Install, ca.BundlePem, Crls(ca, ca.Crl(1)))));
        Assert.True(installed.Ok, installed.Fields.ToJsonString());
        Assert.Matches($@"ipsec-mesh-ca-{ca.CaId}\s+CRL", await ShellAsync(host, $"crlutil -L -d {Nss}"));
        Assert.Matches($@"ipsec-mesh-ca-{ca.CaId}\s+CT,,", await ShellAsync(host, $"certutil -L -d {Nss}"));
        var first = await ShellAsync(host, "ipsec whack --listcrls");
        Assert.Contains("issuer: CN=ipsec-mesh test CA", first, StringComparison.Ordinal);
        Assert.Contains("revoked certs: 0", first, StringComparison.Ordinal);
        var pid = await ShellAsync(host, "cat /run/pluto/pluto.pid");
        var conns = await ShellAsync(host, "ipsec whack --status | grep -c '^000 \"' || true");

        // A revocation: the same config with a newer CRL. pluto sees it; no restart, no conn reload.
        var revoked = Assert.Single(await RunAsync(host, Requests.ConfigWithCrls(AgentVerbs.ApplyConfig, ca.BundlePem, Crls(ca, ca.Crl(2, [0x11, 0x22])))));
        Assert.True(revoked.Ok, revoked.Fields.ToJsonString());
        // pluto re-read it at once (its CRL check, triggered), confirmed by its own line.
        Assert.Equal("trigger", revoked.GetString("crlRefresh"));
        Assert.Equal("restart", installed.GetString("crlRefresh"));
        var listed = await ShellAsync(host, "ipsec whack --listcrls");
        Assert.Contains("revoked certs: 1", listed, StringComparison.Ordinal);
        Assert.Contains("Serial Number: 4386 (0x1122)", await ShellAsync(host, $"crlutil -L -d {Nss} -n ipsec-mesh-ca-{ca.CaId}"), StringComparison.Ordinal);
        Assert.Equal(pid, await ShellAsync(host, "cat /run/pluto/pluto.pid"));
        Assert.Equal(conns, await ShellAsync(host, "ipsec whack --status | grep -c '^000 \"' || true"));
        Assert.Contains("conns unchanged; pluto keeps them", await ShellAsync(host, "cat /var/lib/ipsec-mesh/agent.log"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_same_crl_twice_changes_nothing_and_runs_no_crlutil()
    {
        await using var host = await HostNamespace.StartAsync();
        using var ca = new TestCa();
        var crl = ca.Crl(1, [0x05]);
        Assert.True(Assert.Single(await RunAsync(host, Requests.ConfigWithCrls(AgentVerbs.Install, ca.BundlePem, Crls(ca, crl)))).Ok);
        var listing = await ShellAsync(host, $"crlutil -L -d {Nss}; certutil -L -d {Nss}");
        await host.WrapToolAsync("crlutil");
        await ShellAsync(host, ": > /var/lib/ipsec-mesh/agent.log");

        var again = Assert.Single(await RunAsync(host, Requests.ConfigWithCrls(AgentVerbs.ApplyConfig, ca.BundlePem, Crls(ca, crl))));
        Assert.True(again.Ok, again.Fields.ToJsonString());
        Assert.Equal("", await ShellAsync(host, "cat /run/crlutil.calls 2>/dev/null || true"));
        Assert.Equal(listing, await ShellAsync(host, $"crlutil -L -d {Nss}; certutil -L -d {Nss}; rm /run/crlutil.calls"));

        // The wrapper does see crlutil when there is something to load.
        var newer = Assert.Single(await RunAsync(host, Requests.ConfigWithCrls(AgentVerbs.ApplyConfig, ca.BundlePem, Crls(ca, ca.Crl(2, [0x05, 0x06])))));
        Assert.True(newer.Ok, newer.Fields.ToJsonString());
        var call = Assert.Single((await ShellAsync(host, "cat /run/crlutil.calls")).Trim().Split('\n'));
        Assert.StartsWith("-I -i ", call, StringComparison.Ordinal);
        var log = await ShellAsync(host, "cat /var/lib/ipsec-mesh/agent.log");
        Assert.Equal(1, log.Split('\n').Count(l => l.Contains($"of CA {ca.CaId} loaded", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_crl_that_nss_refuses_after_the_old_one_was_deleted_fails_and_the_old_one_is_put_back()
    {
        await using var host = await HostNamespace.StartAsync();
        using var ca = new TestCa();
        Assert.True(Assert.Single(await RunAsync(host, Requests.ConfigWithCrls(AgentVerbs.Install, ca.BundlePem, Crls(ca, ca.Crl(1, [0x07]))))).Ok);
        // The agent's first two imports fail; its re-import of the CRL it held succeeds.
        await host.WrapToolAsync("crlutil", """
            if [ "$1" = -I ] && [ "$(grep -c '^-I' /run/crlutil.calls)" -le 2 ]; then echo "crlutil: import refused by the test" >&2; exit 1; fi
            exec "$REAL" "$@"
            """);

        var failed = Assert.Single(await RunAsync(host, Requests.ConfigWithCrls(AgentVerbs.ApplyConfig, ca.BundlePem, Crls(ca, ca.Crl(2, [0x07, 0x08])))));

        Assert.Equal("nss_failed", failed.Code);
        // A failure after the config's files were switched: the previous config is put back too.
        Assert.Equal($"could not load the CRL of CA {ca.CaId}; the previous config is back in force", failed.Error);
        var calls = (await ShellAsync(host, "cut -d' ' -f1,3 /run/crlutil.calls")).Trim().Split('\n');
        var file = $"/var/lib/ipsec-mesh/crls/{ca.CaId}.crl";
        Assert.Equal([$"-I {file}", $"-D ipsec-mesh-ca-{ca.CaId}", $"-I {file}", $"-I {file}"], calls);
        var kept = await ShellAsync(host, $"crlutil -L -d {Nss} -n ipsec-mesh-ca-{ca.CaId}");
        Assert.Contains("Serial Number: 7 (0x7)", kept, StringComparison.Ordinal);
        Assert.DoesNotContain("0x8", kept, StringComparison.Ordinal);
        // The file NSS reads it from is the CRL held again, never the refused one.
        Assert.Equal(await ShellAsync(host, $"base64 -d /var/lib/ipsec-mesh/crls/{ca.CaId}.b64 | md5sum"), await ShellAsync(host, $"md5sum < {file}"));
    }

    [Fact]
    public async Task A_crl_that_is_not_the_named_cas_fails_bad_certificate_and_keeps_what_was_loaded()
    {
        await using var host = await HostNamespace.StartAsync();
        using var ca = new TestCa();
        using var other = new TestCa("unrelated CA");
        using var impostor = new TestCa();
        Assert.True(Assert.Single(await RunAsync(host, Requests.ConfigWithCrls(AgentVerbs.Install, ca.BundlePem, Crls(ca, ca.Crl(1, [0x07]))))).Ok);
        var before = await ShellAsync(host, $"ipsec whack --listcrls; crlutil -L -d {Nss}; cat /etc/ipsec.d/policies/private");

        // Signed by another key under this CA's very name (openssl exits 0 on that, printing "verify
        // failure"); issued by another CA; not DER at all; a CA the bundle does not hold.
        var forged = Assert.Single(await RunAsync(host, Requests.ConfigWithCrls(AgentVerbs.ApplyConfig, ca.BundlePem, Crls(ca, impostor.Crl(5)))));
        var foreign = Assert.Single(await RunAsync(host, Requests.ConfigWithCrls(AgentVerbs.ApplyConfig, ca.BundlePem, Crls(ca, other.Crl(5)))));
        var garbage = Assert.Single(await RunAsync(host, Requests.ConfigWithCrls(AgentVerbs.ApplyConfig, ca.BundlePem, Crls(ca, "not a CRL"u8.ToArray()))));
        var stranger = Assert.Single(await RunAsync(host, Requests.ConfigWithCrls(AgentVerbs.ApplyConfig, ca.BundlePem, Crls(other, other.Crl(5)))));

        Assert.Equal("bad_certificate", forged.Code);
        Assert.Equal($"crl/{ca.CaId}.crl is not a DER CRL signed by CA {ca.CaId} of the bundle", forged.Error);
        Assert.Equal("bad_certificate", foreign.Code);
        Assert.Equal("bad_certificate", garbage.Code);
        Assert.Equal("bad_certificate", stranger.Code);
        Assert.Equal($"crl/{other.CaId}.crl: CA {other.CaId} is not in the CA bundle", stranger.Error);
        Assert.Equal(before, await ShellAsync(host, $"ipsec whack --listcrls; crlutil -L -d {Nss}; cat /etc/ipsec.d/policies/private"));
    }

    [Fact]
    public async Task A_crl_with_a_lower_number_is_refused_the_crl_held_stays_and_uninstall_removes_ours()
    {
        await using var host = await HostNamespace.StartAsync();
        using var ca = new TestCa();
        Assert.True(Assert.Single(await RunAsync(host, Requests.ConfigWithCrls(AgentVerbs.Install, ca.BundlePem, Crls(ca, ca.Crl(3, [0x03], [0x04]))))).Ok);
        var before = await ShellAsync(host, $"ipsec whack --listcrls; crlutil -L -d {Nss} -n ipsec-mesh-ca-{ca.CaId}; md5sum /var/lib/ipsec-mesh/crls/*");

        // Number 2 (an older CRL a writer of the bucket put back), then number 3 again with other contents.
        var older = Assert.Single(await RunAsync(host, Requests.ConfigWithCrls(AgentVerbs.ApplyConfig, ca.BundlePem, Crls(ca, ca.Crl(2, [0x02])))));
        var sameNumber = Assert.Single(await RunAsync(host, Requests.ConfigWithCrls(AgentVerbs.ApplyConfig, ca.BundlePem, Crls(ca, ca.Crl(3, [0x03])))));

        Assert.Equal("bad_certificate", older.Code);
        Assert.Equal($"crl/{ca.CaId}.crl has CRL number 2, lower than the number 3 of the CRL this host holds; the host keeps its CRL", older.Error);
        Assert.Equal("bad_certificate", sameNumber.Code);
        Assert.Equal($"crl/{ca.CaId}.crl has the CRL number 3 of the CRL this host holds, with other contents; the host keeps its CRL", sameNumber.Error);
        Assert.Equal(before, await ShellAsync(host, $"ipsec whack --listcrls; crlutil -L -d {Nss} -n ipsec-mesh-ca-{ca.CaId}; md5sum /var/lib/ipsec-mesh/crls/*"));
        Assert.Contains("revoked certs: 2", before, StringComparison.Ordinal);

        Assert.True(Assert.Single(await RunAsync(host, Requests.Uninstall())).Ok);
        Assert.DoesNotContain("ipsec-mesh", await ShellAsync(host, $"crlutil -L -d {Nss}; certutil -L -d {Nss}"), StringComparison.Ordinal);
    }
}
