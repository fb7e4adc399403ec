using IpsecMesh.HostAgent.Policy;
using IpsecMesh.HostAgent.Protocol;
using IpsecMesh.HostAgent.Tests.Policy;
using IpsecMesh.HostAgent.Tests.Support;

namespace IpsecMesh.HostAgent.Tests.Script;

/// <summary>
/// What keeps a host sound besides its config: a damaged NSS database, a libreswan too old for the
/// mesh, and logs that would otherwise grow without bound.
/// </summary>
public class HostUpkeepTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<(IReadOnlyList<AgentResult> Lines, ProcessResult Result)> RunAsync(HostNamespace host, AgentRequest request, params string[] environment)
    {
        var result = await host.RunShellAsync(AgentDocumentRun.StandIn(request, environment), Ct);
        return (AgentResult.ParseAll(result.Stdout), result);
    }

    private static async Task<IReadOnlyList<AgentResult>> RunOkAsync(HostNamespace host, AgentRequest request)
    {
        var (lines, result) = await RunAsync(host, request);
        Assert.True(result.ExitCode == 0 && lines.Count == request.Verbs.Count && lines.All(l => l.Ok), result.ToString());
        return lines;
    }

    private static async Task<string> ShellAsync(HostNamespace host, string script) => (await host.RunShellAsync(script + "\n", Ct)).Stdout;

    [Fact]
    public async Task A_damaged_nss_database_is_refused_by_apply_config_and_re_created_by_install()
    {
        await using var host = await HostNamespace.StartAsync();
        using var ca = new TestCa();
        var enrol = await RunOkAsync(host, Requests.InstallAndCsr("ec"));
        Assert.False(enrol[0].GetBool("nssReinitialised"));
        using var certificate = ca.Sign(Convert.FromBase64String(enrol[1].GetString("csr")!), [0x61]);
        await RunOkAsync(host, Requests.InstallCert(certificate, ca.BundlePem));
        Assert.Contains("\"private-or-clear~a\"", await ShellAsync(host, "ipsec whack --status"), StringComparison.Ordinal);
        var pid = await ShellAsync(host, "cat /run/pluto/pluto.pid");
        var files = await ShellAsync(host, "md5sum /etc/ipsec.d/ipsec-mesh.conf /etc/ipsec.d/policies/*");
        await ShellAsync(host, "truncate -s 4096 /var/lib/ipsec/nss/key4.db");

        var changed = MeshPolicy.Load(PolicyFiles.With(PolicyGroups.Private, "10.98.0.0/16\n"), "test").Policy!;
        var (refused, refusedRun) = await RunAsync(host, Requests.Config(AgentVerbs.ApplyConfig, changed));
        Assert.Equal(5, refusedRun.ExitCode);
        var failure = Assert.Single(refused);
        Assert.Equal("nss_failed", failure.Code);
        Assert.Matches(@"^the NSS database at /var/lib/ipsec/nss is damaged \(certutil -L cannot open it: .*SEC_ERROR_BAD_DATABASE.*\); install re-creates it$", failure.Error);
        Assert.Equal(files, await ShellAsync(host, "md5sum /etc/ipsec.d/ipsec-mesh.conf /etc/ipsec.d/policies/*"));
        Assert.Equal("nss_failed", Assert.Single((await RunAsync(host, Requests.Csr("ec"))).Lines).Code);

        var reinstalled = Assert.Single(await RunOkAsync(host, Requests.Config(AgentVerbs.Install)));

        Assert.True(reinstalled.GetBool("nssReinitialised"));
        Assert.Equal("0", (await ShellAsync(host, "certutil -L -d sql:/var/lib/ipsec/nss >/dev/null; echo $?")).Trim());
        Assert.DoesNotContain("ipsec-mesh-host", await ShellAsync(host, "certutil -L -d sql:/var/lib/ipsec/nss"), StringComparison.Ordinal);
        Assert.Equal("4096", (await ShellAsync(host, "stat -c %s /var/lib/ipsec-mesh/nss-damaged/key4.db")).Trim());
        // pluto had the old files open: restarted, with the conns that need no certificate.
        Assert.NotEqual(pid, await ShellAsync(host, "cat /run/pluto/pluto.pid"));
        var conns = await ShellAsync(host, "ipsec whack --status");
        Assert.Contains("\"block\"", conns, StringComparison.Ordinal);
        Assert.DoesNotContain("\"private-or-clear~", conns, StringComparison.Ordinal);
        Assert.Null((await RunOkAsync(host, Requests.Status()))[0].GetString("certSerial"));

        // Said once; then the normal enrolment gives the host a key and a certificate again.
        var again = await RunOkAsync(host, Requests.InstallAndCsr("ec"));
        Assert.False(again[0].GetBool("nssReinitialised"));
        using var renewed = ca.Sign(Convert.FromBase64String(again[1].GetString("csr")!), [0x62]);
        await RunOkAsync(host, Requests.InstallCert(renewed, ca.BundlePem));
        Assert.Equal("62", (await RunOkAsync(host, Requests.Status()))[0].GetString("certSerial"));
        Assert.Contains("\"private-or-clear~a\"", await ShellAsync(host, "ipsec whack --status"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Install_refuses_a_libreswan_older_than_4_and_changes_nothing()
    {
        await using var host = await HostNamespace.StartAsync();
        await host.WrapToolAsync("ipsec", "if [ \"$1\" = --version ]; then echo 'Linux Libreswan 3.32 (netkey) on 4.18.0'; exit 0; fi\nexec \"$REAL\" \"$@\"");

        var (lines, result) = await RunAsync(host, Requests.InstallAndCsr("ec"));

        var failed = Assert.Single(lines);
        Assert.Equal(("install", "unsupported_version", "libreswan 3.32 is older than 4.0"), (failed.Verb, failed.Code, failed.Error));
        Assert.Equal(12, result.ExitCode);
        Assert.Equal("none", (await ShellAsync(host, "ls /etc/ipsec.d/ipsec-mesh.conf /run/pluto/pluto.pid /var/lib/ipsec-mesh/installed /var/lib/ipsec/nss/cert9.db 2>/dev/null || echo none")).Trim());
    }

    [Fact]
    public async Task Logs_over_the_limit_are_rotated_keeping_two_and_plutos_is_copied_then_truncated_under_its_open_descriptor()
    {
        Prerequisites.Require("flock", "mkfifo");
        using var sandbox = new AgentSandbox();
        var environment = new Dictionary<string, string>(sandbox.Environment) { ["IPSEC_MESH_LOG_MAX_BYTES"] = "1000" };
        // Each round fills both logs past the limit with its own letter, keeps pluto.log open for
        // appending as pluto does, runs the agent, then appends through the descriptor it kept.
        const string Round = """
            set -e
            cd "$1"
            mkdir -p state
            printf "$2%.0s" $(seq 1500) >>state/agent.log
            printf "$2%.0s" $(seq 1500) >>pluto.log
            rm -f go ready; mkfifo go ready
            ( exec 3>>pluto.log; echo >ready; read -r _ <go; echo "pluto after round $2" >&3 ) &
            read -r _ <ready
            printf 'protocol 1\nverb status\n' | bash ipsec-mesh-agent.sh >/dev/null 2>&1
            echo go >go
            wait $!
            """;

        foreach (var letter in new[] { "a", "b", "c" })
        {
            var round = await ProcessRunner.RunAsync("bash", ["-c", Round, "round", sandbox.Root, letter], environment: environment, cancellationToken: Ct);
            Assert.True(round.ExitCode == 0, round.ToString());
        }

        string Read(string path) => File.ReadAllText(Path.Combine(sandbox.Root, path));
        // The agent's own log: moved aside, the newest old copy first, two kept, the oldest dropped.
        Assert.Contains(new string('c', 1500), Read("state/agent.log.1"), StringComparison.Ordinal);
        Assert.Contains(new string('b', 1500), Read("state/agent.log.2"), StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(sandbox.Root, "state/agent.log.3")));
        Assert.DoesNotContain(new string('a', 1500), Read("state/agent.log") + Read("state/agent.log.1") + Read("state/agent.log.2"), StringComparison.Ordinal);
        Assert.Contains("rotated " + Path.Combine(sandbox.StateDir, "agent.log"), Read("state/agent.log"), StringComparison.Ordinal);
        Assert.True(new FileInfo(Path.Combine(sandbox.StateDir, "agent.log")).Length < 1000);
        // pluto's: copied, then truncated under the descriptor pluto keeps, which goes on appending at the start.
        Assert.Equal("pluto after round b\n" + new string('c', 1500), Read("pluto.log.1"));
        Assert.Equal("pluto after round a\n" + new string('b', 1500), Read("pluto.log.2"));
        Assert.Equal("pluto after round c\n", Read("pluto.log"));
        Assert.False(File.Exists(Path.Combine(sandbox.Root, "pluto.log.3")));
    }

    [Fact]
    public async Task A_real_pluto_goes_on_logging_into_its_truncated_log()
    {
        await using var host = await HostNamespace.StartAsync();
        await RunOkAsync(host, Requests.Config(AgentVerbs.Install));
        await ShellAsync(host, "head -c 200000 /dev/zero | tr '\\0' x >>/var/log/pluto.log");

        var (lines, _) = await RunAsync(host, Requests.Status(), "IPSEC_MESH_LOG_MAX_BYTES=100000");
        Assert.True(Assert.Single(lines).Ok);
        await ShellAsync(host, "ipsec whack --listen >/dev/null");

        Assert.True(int.Parse(await ShellAsync(host, "stat -c %s /var/log/pluto.log"), System.Globalization.CultureInfo.InvariantCulture) < 100000);
        var log = await ShellAsync(host, "cat /var/log/pluto.log");
        Assert.DoesNotContain('\0', log);
        Assert.Contains("listening for IKE messages", log, StringComparison.Ordinal);
        Assert.Contains(new string('x', 1000), await ShellAsync(host, "cat /var/log/pluto.log.1"), StringComparison.Ordinal);
    }
}
