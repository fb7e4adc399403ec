using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using IpsecMesh.HostAgent.Policy;
using IpsecMesh.HostAgent.Protocol;
using IpsecMesh.HostAgent.Tests.Policy;
using IpsecMesh.HostAgent.Tests.Support;

namespace IpsecMesh.HostAgent.Tests.Script;

/// <summary>
/// A certificate rotation on libreswan 4.10 with a real pluto (no ESP here: conns, routes, group
/// templates and their instances, kernel policies and NSS are real): the agent loads the other
/// name set of the certificate conns beside the one in force and switches to it with one
/// `whack --listen`, routes it, and drops the old set and certificate; the next rotation switches
/// back. Nothing else is reloaded: pluto, clear and block keep running as they were.
/// </summary>
public class RotationTests
{
    private const string Guard = "ip xfrm policy list | grep -c 'priority 4000000[0-2][0-9][0-9] ' || true";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>private 10.99.0.0/16, private-or-clear 172.31.0.0/16 (the default).</summary>
    internal static readonly MeshPolicy Policy = MeshPolicy.Load(PolicyFiles.With(PolicyGroups.Private, "10.99.0.0/16\n"), "test").Policy!;

    internal static async Task<IReadOnlyList<AgentResult>> RunAsync(HostNamespace host, AgentRequest request, bool expectSuccess = true, params string[] environment)
    {
        var result = await host.RunShellAsync(AgentDocumentRun.StandIn(request, ["IPSEC_MESH_SWITCH_DELAY=0.2", .. environment]), Ct);
        var lines = AgentResult.ParseAll(result.Stdout);
        if (expectSuccess) Assert.True(result.ExitCode == 0 && lines.All(l => l.Ok) && lines.Count == request.Verbs.Count, result.ToString());
        return lines;
    }

    internal static async Task<string> ShellAsync(HostNamespace host, string script) => (await host.RunShellAsync(script + "\n", Ct)).Stdout;

    /// <summary>A host with <see cref="Policy"/> and its first certificate: set ~a loaded and routed.</summary>
    internal static async Task<(HostNamespace Host, X509Certificate2 Certificate)> EnrolledHostAsync(TestCa ca, byte serial = 0x11)
    {
        var host = await HostNamespace.StartAsync();
        try
        {
            var enrol = await RunAsync(host, Requests.InstallAndCsr("ec", Policy));
            var certificate = ca.Sign(Convert.FromBase64String(enrol[1].GetString("csr")!), [serial]);
            await RunAsync(host, Requests.InstallCert(certificate, ca.BundlePem));
            return (host, certificate);
        }
        catch
        {
            // Nobody else holds the host yet: its namespace and pluto would outlive the test.
            await host.DisposeAsync();
            throw;
        }
    }

    /// <summary>A renewal as the controller makes it: a new key (csr), then install-cert of its certificate.</summary>
    internal static async Task<X509Certificate2> RotateAsync(HostNamespace host, TestCa ca, byte serial, bool expectSuccess = true, params string[] environment)
    {
        var csr = await RunAsync(host, Requests.Csr("ec"));
        var certificate = ca.Sign(Convert.FromBase64String(csr[0].GetString("csr")!), [serial]);
        await RunAsync(host, Requests.InstallCert(certificate, ca.BundlePem), expectSuccess, environment);
        return certificate;
    }

    /// <summary>
    /// pluto runs set <paramref name="set"/> presenting <paramref name="certificate"/>, and nothing of
    /// the other set is left: every conn of the set loaded, the routed ones and every template of
    /// them routed (trap policies in the kernel), the files, the record, NSS and pluto's own keys.
    /// </summary>
    internal static async Task AssertRunsSetAsync(HostNamespace host, string set, X509Certificate2 certificate)
    {
        var other = set == "~a" ? "~b" : "~a";
        var status = await ShellAsync(host, "ipsec whack --status");
        var conns = status.Split('\n').Select(l => System.Text.RegularExpressions.Regex.Match(l, "^000 \"([^\"#\\[]+)\": ")).Where(m => m.Success)
            .Select(m => m.Groups[1].Value).Distinct().Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(ConnSets.Of(set).Order(StringComparer.Ordinal), conns);
        Assert.DoesNotContain($"{other}#", status, StringComparison.Ordinal);
        foreach (var template in new[] { $"private{set}#10.99.0.0/16", $"private-or-clear{set}#172.31.0.0/16" })
            Assert.Matches($"(?m)^000 \"{System.Text.RegularExpressions.Regex.Escape(template)}\": .*; prospective erouted;", status);
        var routed = (await ShellAsync(host, "ipsec addconn --config /etc/ipsec.conf --listroute")).Split((char[])[' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["block", "clear", $"private-or-clear{set}", $"private{set}"], routed.Order(StringComparer.Ordinal));
        var policies = await ShellAsync(host, "ip xfrm policy list | grep -E '^src' | grep -v -e '::' -e '0.0.0.0' | sort");
        Assert.Contains("src 10.77.0.5/32 dst 10.99.0.0/16", policies, StringComparison.Ordinal);
        Assert.Contains("src 10.77.0.5/32 dst 172.31.0.0/16", policies, StringComparison.Ordinal);
        Assert.Equal("0", (await ShellAsync(host, Guard)).Trim());

        Assert.Equal($"{set}\n", await ShellAsync(host, "cat /var/lib/ipsec-mesh/conn-set"));
        var file = await ShellAsync(host, "grep -E '^conn|also=|leftcert=' /etc/ipsec.d/ipsec-mesh.conf | tr -s '\\t ' ' '");
        Assert.Equal($"conn ipsec-mesh-base{set}\n leftcert={ConnSets.Nickname(set)}\nconn clear\nconn block\nconn private{set}\n also=ipsec-mesh-base{set}\n"
            + $"conn private-or-clear{set}\n also=ipsec-mesh-base{set}\nconn clear-or-private{set}\n also=ipsec-mesh-base{set}\n", file);
        Assert.Equal("", await ShellAsync(host, "ls /etc/ipsec.d | grep -v -x -e ipsec-mesh.conf -e policies || true"));
        foreach (var group in ConnSets.CertificateGroups)
        {
            Assert.Equal(await ShellAsync(host, $"cat /etc/ipsec.d/policies/{group}"), await ShellAsync(host, $"cat /etc/ipsec.d/policies/{group}{set}"));
            Assert.Equal("gone", (await ShellAsync(host, $"test -e /etc/ipsec.d/policies/{group}{other} && echo present || echo gone")).Trim());
        }

        var nss = await ShellAsync(host, "certutil -L -d sql:/var/lib/ipsec/nss | grep ipsec-mesh-host | sed 's/ .*//'");
        Assert.Equal($"{ConnSets.Nickname(set)}\n", nss);
        Assert.Single((await ShellAsync(host, "certutil -K -d sql:/var/lib/ipsec/nss -f /dev/null")).Split('\n'), l => l.StartsWith('<'));
        Assert.Equal(certificate.SerialNumber.ToLowerInvariant(), (await RunAsync(host, Requests.Status()))[0].GetString("certSerial"));
        // pluto signs with this certificate's key and with no other.
        var keys = (await ShellAsync(host, "ipsec whack --listpubkeys")).Split('\n').Where(l => l.Contains("private key)", StringComparison.Ordinal)).ToArray();
        Assert.NotEmpty(keys);
        var until = "until " + certificate.NotAfter.ToUniversalTime().ToString("MMM dd HH:mm:ss yyyy", CultureInfo.InvariantCulture);
        Assert.All(keys, k => Assert.Contains(until, k, StringComparison.Ordinal));
    }

    /// <summary>
    /// `ipsec whack --status` once it shows an instance whose name starts with <paramref name="instance"/>: pluto makes it when
    /// the kernel's acquire for the packet sent reaches it, which on a loaded machine can take longer than the half second
    /// the test used to sleep. 30 s at most (then the caller's assertion says what was there).
    /// </summary>
    private static async Task<string> NegotiationAsync(HostNamespace host, string instance)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var status = await ShellAsync(host, "ipsec whack --status");
            if (status.Contains(instance, StringComparison.Ordinal) || DateTime.UtcNow > deadline) return status;
            await Task.Delay(100, Ct);
        }
    }

    /// <summary>The `conn serial` pluto gave clear and block when they were added: unchanged means never reloaded.</summary>
    private static Task<string> UntouchedConnsAsync(HostNamespace host) => ShellAsync(host,
        "ipsec whack --status | grep -E '^000 \"(clear|block)\":.*conn serial' | sort; cat /run/pluto/pluto.pid");

    [Fact]
    public async Task A_rotation_switches_the_certificate_conns_to_the_other_set_without_a_reload_and_the_next_one_switches_back()
    {
        using var ca = new TestCa();
        var (host, first) = await EnrolledHostAsync(ca);
        await using var _ = host;
        using var __ = first;
        await AssertRunsSetAsync(host, "~a", first);
        var untouched = await UntouchedConnsAsync(host);
        // A negotiation under way: an instance of the private template (nobody answers here).
        await ShellAsync(host, "exec 3>/dev/udp/10.99.0.9/9; exec 3>&-");
        Assert.Contains("\"private~a#10.99.0.0/16\"[1]", await NegotiationAsync(host, "\"private~a#10.99.0.0/16\"["), StringComparison.Ordinal);

        using var renewed = await RotateAsync(host, ca, 0x22);

        await AssertRunsSetAsync(host, "~b", renewed);
        Assert.Equal(untouched, await UntouchedConnsAsync(host));
        var log = await ShellAsync(host, "cat /var/lib/ipsec-mesh/agent.log");
        Assert.Contains("switching the certificate conns from set ~a to set ~b", log, StringComparison.Ordinal);
        Assert.DoesNotContain("switching sets failed", log, StringComparison.Ordinal);
        Assert.DoesNotContain("restarting pluto", log, StringComparison.Ordinal);

        // Again with a negotiation of set ~b under way (its instance goes with the switch) and the
        // delay the end-to-end suite uses.
        await ShellAsync(host, "exec 3>/dev/udp/10.99.0.13/9; exec 3>&-");
        await NegotiationAsync(host, "\"private~b#10.99.0.0/16\"[");
        using var again = await RotateAsync(host, ca, 0x33, true, "IPSEC_MESH_SWITCH_DELAY=1");

        await AssertRunsSetAsync(host, "~a", again);
        Assert.Equal(untouched, await UntouchedConnsAsync(host));
        Assert.Contains("switching the certificate conns from set ~b to set ~a", await ShellAsync(host, "cat /var/lib/ipsec-mesh/agent.log"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_config_change_while_set_b_runs_reloads_set_b_with_the_new_policy()
    {
        using var ca = new TestCa();
        var (host, first) = await EnrolledHostAsync(ca);
        await using var _ = host;
        using var __ = first;
        using var renewed = await RotateAsync(host, ca, 0x22);
        var changed = MeshPolicy.Load(PolicyFiles.With(PolicyGroups.Private, "10.99.0.0/16\n10.98.0.0/16\n"), "test").Policy!;

        await RunAsync(host, Requests.Config(AgentVerbs.ApplyConfig, changed));

        await AssertRunsSetAsync(host, "~b", renewed);
        Assert.Contains("10.98.0.0/16", await ShellAsync(host, "cat '/etc/ipsec.d/policies/private~b'"), StringComparison.Ordinal);
        Assert.Matches("(?m)^000 \"private~b#10.98.0.0/16\": .*; prospective erouted;", await ShellAsync(host, "ipsec whack --status"));
        Assert.Equal(changed.Hash, (await RunAsync(host, Requests.Status()))[0].GetString("configHash"));

        // And an install (a todo) keeps the set too.
        await RunAsync(host, Requests.Config(AgentVerbs.Install, changed));
        await AssertRunsSetAsync(host, "~b", renewed);
    }

    [Theory]
    [InlineData("conn-set-added")]
    [InlineData("conn-set-switched")]
    public async Task A_rotation_killed_during_the_switch_converges_when_the_controller_sends_it_again(string point)
    {
        using var ca = new TestCa();
        var (host, first) = await EnrolledHostAsync(ca);
        await using var _ = host;
        using var __ = first;
        var csr = await RunAsync(host, Requests.Csr("ec"));
        using var renewed = ca.Sign(Convert.FromBase64String(csr[0].GetString("csr")!), [0x22]);
        var request = Requests.InstallCert(renewed, ca.BundlePem);

        var killed = await host.RunShellAsync(AgentDocumentRun.StandIn(request, ["IPSEC_MESH_TEST_KILL_AT=" + point]), Ct);
        Assert.NotEqual(0, killed.ExitCode);
        Assert.Contains($"test hook: SIGKILL at {point}", await ShellAsync(host, "cat /var/lib/ipsec-mesh/agent.log"), StringComparison.Ordinal);

        await RunAsync(host, request);

        // The switch had not committed: the set in force (~a) is reloaded with the new certificate.
        await AssertRunsSetAsync(host, "~a", renewed);
        Assert.Equal("", (await ShellAsync(host, "find /etc/ipsec.d /var/lib/ipsec-mesh -name '*.ipsec-mesh-new' -o -name 'work.*' -o -name 'ipsec-mesh-next.conf'")).Trim());
        // And the next rotation switches as usual.
        using var again = await RotateAsync(host, ca, 0x33);
        await AssertRunsSetAsync(host, "~b", again);
    }

    [Fact]
    public async Task Conns_an_older_agent_loaded_without_a_set_are_renamed_into_set_a_by_the_next_rotation()
    {
        using var ca = new TestCa();
        var (host, first) = await EnrolledHostAsync(ca);
        await using var _ = host;
        using var __ = first;
        // What an agent before the sets left: the template's own names, no copies, no record.
        await ShellAsync(host, """
            set -e
            for c in clear block 'private~a' 'private-or-clear~a' 'clear-or-private~a'; do ipsec whack --delete --name "$c" >/dev/null; done
            sed -i -e 's/~a$//' -e 's/~a\([[:space:]]\)/\1/' /etc/ipsec.d/ipsec-mesh.conf
            rm -f /etc/ipsec.d/policies/*~a /var/lib/ipsec-mesh/conn-set
            for c in private clear private-or-clear clear-or-private block; do ipsec addconn --config /etc/ipsec.conf "$c" >/dev/null; done
            for c in private clear private-or-clear block; do ipsec whack --route --name "$c" >/dev/null; done
            ipsec whack --listen >/dev/null
            """);
        Assert.Contains("000 \"private#10.99.0.0/16\": ", await ShellAsync(host, "ipsec whack --status"), StringComparison.Ordinal);

        using var renewed = await RotateAsync(host, ca, 0x22);

        await AssertRunsSetAsync(host, "~a", renewed);
        Assert.Contains("renaming the certificate conns into set ~a", await ShellAsync(host, "cat /var/lib/ipsec-mesh/agent.log"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Install_sets_the_xfrm_sysctls_the_config_and_certificate_verbs_keep_them_and_uninstall_puts_them_back()
    {
        using var ca = new TestCa();
        await using var host = await HostNamespace.StartAsync();
        const string Read = "cat /proc/sys/net/core/xfrm_acq_expires /proc/sys/net/core/xfrm_larval_drop";
        var before = await ShellAsync(host, Read);
        Assert.Equal("30\n1\n", before);

        // The acquire lifetime outlasts the longest exchange pluto allows: the template's retransmit-timeout (3s) + 5 s.
        var enrol = await RunAsync(host, Requests.InstallAndCsr("ec", Policy));
        Assert.Equal("8\n0\n", await ShellAsync(host, Read));

        // A reboot puts the kernel's defaults back; the next config or certificate verb sets them again.
        await ShellAsync(host, "echo 30 >/proc/sys/net/core/xfrm_acq_expires; echo 1 >/proc/sys/net/core/xfrm_larval_drop");
        await RunAsync(host, Requests.Config(AgentVerbs.ApplyConfig, Policy));
        Assert.Equal("8\n0\n", await ShellAsync(host, Read));
        await ShellAsync(host, "echo 30 >/proc/sys/net/core/xfrm_acq_expires");
        using var certificate = ca.Sign(Convert.FromBase64String(enrol[1].GetString("csr")!), [0x11]);
        await RunAsync(host, Requests.InstallCert(certificate, ca.BundlePem));
        Assert.Equal("8\n0\n", await ShellAsync(host, Read));
        Assert.Equal("net/core/xfrm_acq_expires 30\nnet/core/xfrm_larval_drop 1\n", await ShellAsync(host, "cat /var/lib/ipsec-mesh/kernel-settings"));

        // A template that lets an exchange run a minute gets a minute and 5 s.
        var files = PolicyFiles.With(PolicyGroups.Private, "10.99.0.0/16\n");
        files[PolicyGroups.TemplateFile] = PolicyFiles.Template.Replace("retransmit-timeout=3s", "retransmit-timeout=1m", StringComparison.Ordinal);
        var slow = MeshPolicy.Load(files, "test").Policy!;
        await RunAsync(host, Requests.Config(AgentVerbs.ApplyConfig, slow));
        Assert.Equal("65\n0\n", await ShellAsync(host, Read));

        await RunAsync(host, Requests.Uninstall());

        Assert.Equal(before, await ShellAsync(host, Read));
        Assert.Equal("gone", (await ShellAsync(host, "test -e /var/lib/ipsec-mesh/kernel-settings && echo present || echo gone")).Trim());
    }

    [Fact]
    public async Task A_pkcs12_rotation_files_the_new_certificate_under_the_other_nickname_and_switches_sets()
    {
        using var ca = new TestCa();
        await using var host = await HostNamespace.StartAsync();
        // IMDSv2 and KMS stand-ins inside the host's namespaces.
        await host.WrapToolAsync("curl", """
            url=${*: -1}
            case $url in
              */latest/api/token) echo token ;;
              */instance-identity/document) echo '{"instanceId":"i-0123456789abcdef0","region":"eu-west-1","accountId":"111122223333"}' ;;
              */services/partition) echo aws ;;
              *) exit 22 ;;
            esac
            """);
        await ShellAsync(host, "printf '#!/bin/bash\nprintf %s p12-password | base64 -w0; echo\n' >/run/fake-aws; chmod 0755 /run/fake-aws");
        const string Aws = "IPSEC_MESH_AWS_CLI=/run/fake-aws";
        await RunAsync(host, Requests.Config(AgentVerbs.Install, Policy));

        using var first = Pkcs12(ca, 0x41, out var firstP12);
        await RunAsync(host, Pkcs12Request(firstP12, ca), true, Aws);
        await AssertRunsSetAsync(host, "~a", first);

        // The new certificate has the subject of the one in force: pk12util files it under the same
        // nickname, and the agent names it apart before it switches.
        using var second = Pkcs12(ca, 0x42, out var secondP12);
        await RunAsync(host, Pkcs12Request(secondP12, ca), true, Aws);

        await AssertRunsSetAsync(host, "~b", second);
        Assert.Contains("switching the certificate conns from set ~a to set ~b", await ShellAsync(host, "cat /var/lib/ipsec-mesh/agent.log"), StringComparison.Ordinal);
        Assert.Equal("End certificate \"NSS Certificate DB:ipsec-mesh-host~b\" - SN: 0x42", (await ShellAsync(host, "ipsec whack --listcerts | grep 'End certificate'")).Replace("000 ", "", StringComparison.Ordinal).Trim());

        using var third = Pkcs12(ca, 0x43, out var thirdP12);
        await RunAsync(host, Pkcs12Request(thirdP12, ca), true, Aws);
        await AssertRunsSetAsync(host, "~a", third);
    }

    private static X509Certificate2 Pkcs12(TestCa ca, byte serial, out byte[] pkcs12)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var certificate = ca.Sign(new CertificateRequest("CN=controller made", key, HashAlgorithmName.SHA256).CreateSigningRequest(), [serial]);
        using var withKey = certificate.CopyWithPrivateKey(key);
        pkcs12 = withKey.ExportPkcs12(Pkcs12ExportPbeParameters.Pbes2Aes256Sha256, "p12-password");
        return certificate;
    }

    private static AgentRequest Pkcs12Request(byte[] pkcs12, TestCa ca) => AgentRequest.For(AgentVerbs.InstallP12, files: new Dictionary<string, byte[]>
    {
        ["host.p12"] = pkcs12,
        ["p12-password.kms"] = "sealed"u8.ToArray(),
        ["ca-bundle.pem"] = ca.BundlePem,
    });
}
