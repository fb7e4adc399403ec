using System.Diagnostics;
using IpsecMesh.HostAgent.Protocol;
using IpsecMesh.HostAgent.Tests.Support;

namespace IpsecMesh.HostAgent.Tests.Script;

public class RequestHandlingTests
{
    private static void AssertSingleFailure(ProcessResult result, string verb, string code, int exitCode)
    {
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1 && lines[0].StartsWith(AgentResult.LinePrefix, StringComparison.Ordinal), result.ToString());
        var parsed = Assert.Single(AgentResult.ParseAll(result.Stdout));
        Assert.Equal((verb, false, code), (parsed.Verb, parsed.Ok, parsed.Code));
        Assert.False(string.IsNullOrWhiteSpace(parsed.Error));
        Assert.Equal(exitCode, result.ExitCode);
    }

    [Theory]
    [InlineData("verb status\n")]
    [InlineData("protocol 2\nverb status\n")]
    [InlineData("protocol 1\n")]
    [InlineData("protocol 1\nverb reboot\n")]
    [InlineData("protocol 1\nverb status\nparam keyType\trsa\n")]
    [InlineData("protocol 1\nverb status\nfile host.crt not*base64\n")]
    [InlineData("protocol 1\nverb status\nfile host.crt QUJD=x\n")]
    [InlineData("protocol 1\nverb status\nfile ../host.crt QUJD\n")]
    [InlineData("protocol 1\nverb status\nfile /etc/passwd QUJD\n")]
    [InlineData("protocol 1\nverb status\nunknown line\n")]
    public async Task A_malformed_request_fails_bad_request_before_any_verb_runs(string request)
    {
        Prerequisites.Require("flock");
        using var sandbox = new AgentSandbox();

        var result = await sandbox.RunAsync(request);

        AssertSingleFailure(result, "request", "bad_request", 2);
    }

    [Theory]
    [InlineData("param configHash $(touch {0})")]
    [InlineData("param configHash `touch {0}`")]
    [InlineData("param configHash ';touch {0};'")]
    [InlineData("param configHash \"$(touch {0})\"")]
    [InlineData("param keyType rsa;touch${{IFS}}{0}")]
    [InlineData("file config/$(touch {0}) QUJD")]
    [InlineData("verb status;touch {0}")]
    [InlineData("verb $(touch {0})")]
    public async Task Hostile_request_lines_are_rejected_and_never_executed(string hostileLine)
    {
        Prerequisites.Require("flock");
        using var sandbox = new AgentSandbox();
        var marker = Path.Combine(sandbox.Root, "pwned");

        var result = await sandbox.RunAsync($"protocol 1\nverb status\n{string.Format(System.Globalization.CultureInfo.InvariantCulture, hostileLine, marker)}\n");

        AssertSingleFailure(result, "request", "bad_request", 2);
        Assert.False(File.Exists(marker), "the hostile input was executed");
    }

    [Fact]
    public async Task Shell_syntax_inside_a_file_input_is_data_not_code()
    {
        Prerequisites.Require("flock", "certutil", "openssl");
        using var sandbox = new AgentSandbox();
        await sandbox.InitNssAsync();
        var marker = Path.Combine(sandbox.Root, "pwned");
        var hostile = System.Text.Encoding.ASCII.GetBytes($"$(touch {marker})\n`touch {marker}`\n");
        var request = AgentRequest.For(AgentVerbs.InstallCert, files: new Dictionary<string, byte[]> { ["host.crt"] = hostile, ["ca-bundle.pem"] = hostile });

        var result = await sandbox.RunAsync(request);

        AssertSingleFailure(result, AgentVerbs.InstallCert, "bad_certificate", 7);
        Assert.False(File.Exists(marker), "the hostile file content was executed");
    }

    [Fact]
    public async Task Stdout_holds_only_result_lines_and_the_log_file_gets_the_human_output()
    {
        Prerequisites.Require("flock");
        using var sandbox = new AgentSandbox();

        var result = await sandbox.RunAsync(new AgentRequest([AgentVerbs.Status, AgentVerbs.Status]));

        Assert.Equal(0, result.ExitCode);
        Assert.All(result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => Assert.StartsWith(AgentResult.LinePrefix, l, StringComparison.Ordinal));
        Assert.Equal(2, AgentResult.ParseAll(result.Stdout).Count);
        Assert.Contains("running status status", File.ReadAllText(Path.Combine(sandbox.StateDir, "agent.log")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_without_a_running_pluto_is_ok_with_running_false()
    {
        Prerequisites.Require("flock");
        using var sandbox = new AgentSandbox();

        var result = await sandbox.RunAsync(Requests.Status());

        var status = Assert.Single(AgentResult.ParseAll(result.Stdout));
        Assert.True(status.Ok, result.ToString());
        Assert.False(status.GetBool("running"));
        Assert.Equal(0, status.GetInt64("ipsecSAs"));
        Assert.Null(status.GetString("certSerial"));
        Assert.Equal(0, status.GetObject("xfrm")?["inNoStates"]?.GetValue<long>());
    }

    [Fact]
    public async Task Verbs_stop_at_the_first_failure_and_the_exit_code_is_the_failed_verbs()
    {
        Prerequisites.Require("flock");
        using var sandbox = new AgentSandbox();

        var result = await sandbox.RunAsync(new AgentRequest([AgentVerbs.Status, AgentVerbs.ApplyConfig, AgentVerbs.Status]));

        var lines = AgentResult.ParseAll(result.Stdout);
        Assert.Equal([(AgentVerbs.Status, true), (AgentVerbs.ApplyConfig, false)], lines.Select(l => (l.Verb, l.Ok)));
        Assert.Equal("bad_request", lines[1].Code);
        Assert.Equal(2, result.ExitCode);
    }

    [Fact]
    public async Task Apply_config_on_a_host_without_the_mesh_fails_not_running()
    {
        Prerequisites.Require("flock");
        using var sandbox = new AgentSandbox();

        var result = await sandbox.RunAsync(Requests.Config(AgentVerbs.ApplyConfig));

        AssertSingleFailure(result, AgentVerbs.ApplyConfig, "not_running", 10);
    }

    [Fact]
    public async Task A_second_run_waits_for_the_lock_then_fails_locked()
    {
        Prerequisites.Require("flock");
        using var sandbox = new AgentSandbox();
        Directory.CreateDirectory(sandbox.StateDir);
        var info = new ProcessStartInfo("flock") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in new[] { "-x", Path.Combine(sandbox.StateDir, "agent.lock"), "-c", "echo held; exec sleep 120" }) info.ArgumentList.Add(argument);
        using var holder = Process.Start(info)!;
        try
        {
            Assert.Equal("held", await holder.StandardOutput.ReadLineAsync(TestContext.Current.CancellationToken));

            var result = await sandbox.RunAsync(Requests.Status());

            AssertSingleFailure(result, AgentVerbs.Status, "locked", 11);
        }
        finally
        {
            holder.Kill(entireProcessTree: true);
        }
        var after = await sandbox.RunAsync(Requests.Status());
        Assert.True(Assert.Single(AgentResult.ParseAll(after.Stdout)).Ok, after.ToString());
    }
}
