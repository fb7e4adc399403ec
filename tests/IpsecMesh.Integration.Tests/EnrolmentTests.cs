using IpsecMesh.HostAgent.Protocol;
using IpsecMesh.Integration.Tests.Support;
using IpsecMesh.Simulator;
using IpsecMesh.Simulator.Faults;
using IpsecMesh.Simulator.Hosts;
using IpsecMesh.Simulator.Throttling;

namespace IpsecMesh.Integration.Tests;

public class EnrolmentTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_tag_change_event_alone_enrols_an_instance()
    {
        await using var mesh = new MeshFixture();
        var instance = mesh.Launch(tag: null);
        await mesh.StartControllerAsync(Token);
        // The start-up resync has listed no tagged instance, and the next is an hour away: only the event can enrol it.
        await mesh.WaitForAsync(() => mesh.Calls("ec2:DescribeInstances") >= 1, "the start-up resync");

        mesh.Aws.Fleet.SetTag(instance.InstanceId, MeshFixture.TagKey, "todo");

        await mesh.WaitForTagAsync(instance, "enabled");
        Assert.Equal("enrolled", instance.Tag("IPSec:Status"));
        Assert.NotNull(instance.Tag("IPSec:CertExpiry"));
        Assert.NotNull(instance.Tag("IPSec:Config"));
        var host = Assert.IsType<VirtualHost>(instance.Runtime);
        Assert.True(host.IsEnabled);
        Assert.Equal(instance.Tag("IPSec:Config"), host.State.ConfigHash);
    }

    [Theory]
    [InlineData("eu-west-1")]
    [InlineData("cn-north-1")]
    public async Task Controller_key_enrolment_seals_each_password_for_the_instance_arn_its_host_decrypts_with(string region)
    {
        // The simulated KMS holds the host key to the stack's policy: a context without the host's own ARN is refused.
        await using var mesh = new MeshFixture(
            SimulatorOptions.Default with { Throttle = ThrottleProfile.None, Region = region },
            new Dictionary<string, string?> { ["IpsecMesh:EnrolmentMode"] = "ControllerKey" });
        var instances = new[] { mesh.Launch(), mesh.Launch() };
        await mesh.StartControllerAsync(Token);

        foreach (var instance in instances) await mesh.WaitForTagAsync(instance, "enabled");

        foreach (var instance in instances)
        {
            var state = Assert.IsType<VirtualHost>(instance.Runtime).State;
            Assert.Equal(1, state.VerbCounts.GetValueOrDefault(IpsecMesh.HostAgent.Protocol.AgentVerbs.InstallP12));
            Assert.False(state.VerbCounts.ContainsKey(IpsecMesh.HostAgent.Protocol.AgentVerbs.Csr));
            Assert.NotNull(state.CertSerial);
        }
    }

    [Fact]
    public async Task Resync_enrols_an_instance_whose_event_was_lost()
    {
        await using var mesh = new MeshFixture(
            SimulatorOptions.Default with { Throttle = ThrottleProfile.None, Faults = FaultOptions.None with { EventDropProbability = 1.0 } },
            new Dictionary<string, string?> { ["IpsecMesh:ResyncInterval"] = "00:02:00" });
        var instance = mesh.Launch(tag: null);
        await mesh.StartControllerAsync(Token);
        mesh.Aws.Fleet.SetTag(instance.InstanceId, MeshFixture.TagKey, "todo");
        Assert.Empty(mesh.Aws.PeekQueue());

        await mesh.WaitForTagAsync(instance, "enabled");
    }

    [Fact]
    public async Task A_restarted_controller_resumes_the_running_command_instead_of_sending_another()
    {
        await using var mesh = new MeshFixture();
        var slowInstall = new VirtualHostOptions
        {
            Latency = new Dictionary<string, TimeSpan>(StringComparer.Ordinal) { ["install"] = TimeSpan.FromMinutes(2) },
            DefaultLatency = TimeSpan.Zero,
        };
        var instance = mesh.Launch(host: slowInstall);
        var first = await mesh.StartControllerAsync(Token);
        await mesh.WaitForAsync(() => mesh.Calls("ssm:SendCommand") == 1, "the install command to be sent");
        await MeshFixture.StopAsync(first);

        await mesh.StartControllerAsync(Token);
        await mesh.WaitForTagAsync(instance, "enabled");

        // install+csr once, install-cert once: the restart sent nothing twice.
        Assert.Equal(2, mesh.Calls("ssm:SendCommand"));
        Assert.Equal(1, ((VirtualHost)instance.Runtime).State.VerbCounts["install"]);
        Assert.Single(mesh.Aws.ListKeys("issued/"), k => k.EndsWith(".pem", StringComparison.Ordinal));
        Assert.Contains(mesh.Logs, l => l.Contains("Resuming command", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_restarted_controller_believes_the_host_facts_it_wrote_not_the_display_tags()
    {
        await using var mesh = new MeshFixture();
        var instance = mesh.Launch();
        var first = await mesh.StartControllerAsync(Token);
        await mesh.WaitForTagAsync(instance, "enabled");
        await MeshFixture.StopAsync(first);
        Assert.Contains("state/host-facts.json", mesh.Aws.ListKeys("state/"));
        Assert.DoesNotContain(mesh.Logs, l => l.Contains("written by another replica", StringComparison.Ordinal));
        var sends = mesh.Calls("ssm:SendCommand");

        // The display tags changed by someone: the restarted controller reports them, writes them again from its facts
        // and sends the host nothing.
        var shown = (instance.Tag("IPSec:Config"), instance.Tag("IPSec:CertExpiry"));
        mesh.Aws.Fleet.SetTag(instance.InstanceId, "IPSec:Config", "forged");
        mesh.Aws.Fleet.DeleteTag(instance.InstanceId, "IPSec:CertExpiry");
        await mesh.StartControllerAsync(Token);
        await mesh.WaitForAsync(() => mesh.Logs.Any(l => l.Contains("do not show what the controller confirmed", StringComparison.Ordinal)), "the restarted controller to read the instance");
        await mesh.WaitForAsync(() => (instance.Tag("IPSec:Config"), instance.Tag("IPSec:CertExpiry")) == shown, "the display tags written again");
        Assert.Equal(sends, mesh.Calls("ssm:SendCommand"));
        Assert.Equal(1, ((VirtualHost)instance.Runtime).State.VerbCounts["install"]);
    }

    [Fact]
    public async Task A_failed_install_shows_its_reason_and_recovers_once_the_fault_clears()
    {
        await using var mesh = new MeshFixture();
        var instance = mesh.Launch();
        var host = (VirtualHost)instance.Runtime;
        host.FailInstallWith("install_failed", "dnf exited 1: no route to mirror");
        await mesh.StartControllerAsync(Token);

        await mesh.WaitForTagAsync(instance, "failed");
        // Either the failure itself or, once the backoff retries, "retrying after: " and the failure.
        Assert.Matches("^(retrying after: )?install failed: install_failed: dnf exited 1: no route to mirror$", instance.Tag("IPSec:Status"));

        host.ClearFailures();
        await mesh.WaitForTagAsync(instance, "enabled");
        Assert.Equal("enrolled", instance.Tag("IPSec:Status"));
    }

    [Fact]
    public async Task A_retry_after_a_failure_keeps_the_reason_in_the_status()
    {
        await using var mesh = new MeshFixture();
        var instance = mesh.Launch();
        ((VirtualHost)instance.Runtime).FailInstallWith("nss_failed", "could not create the NSS database directory /var/lib/ipsec/nss");
        await mesh.StartControllerAsync(Token);

        // The backoff retries the install; while it runs the tag stays failed and says why.
        await mesh.WaitForAsync(() => instance.Tag("IPSec:Status")?.StartsWith("retrying after: ", StringComparison.Ordinal) == true, "a retry");
        Assert.Equal("failed", instance.Tag(MeshFixture.TagKey));
        Assert.Equal("retrying after: install failed: nss_failed: could not create the NSS database directory /var/lib/ipsec/nss", instance.Tag("IPSec:Status"));
    }

    [Fact]
    public async Task Setting_todo_after_a_failure_retries_at_once()
    {
        await using var mesh = new MeshFixture(settings: new Dictionary<string, string?> { ["IpsecMesh:BackoffBase"] = "01:00:00", ["IpsecMesh:BackoffCap"] = "02:00:00" });
        var instance = mesh.Launch();
        var host = (VirtualHost)instance.Runtime;
        host.FailInstallWith("install_failed", "broken mirror", times: 1);
        await mesh.StartControllerAsync(Token);
        await mesh.WaitForTagAsync(instance, "failed");

        // The backoff is an hour; the user's todo must not wait for it.
        mesh.Aws.Fleet.SetTag(instance.InstanceId, MeshFixture.TagKey, "todo");
        await mesh.WaitForTagAsync(instance, "enabled", TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task Off_uninstalls_revokes_and_ends_disabled()
    {
        await using var mesh = new MeshFixture();
        var instance = mesh.Launch();
        await mesh.StartControllerAsync(Token);
        await mesh.WaitForTagAsync(instance, "enabled");

        mesh.Aws.Fleet.SetTag(instance.InstanceId, MeshFixture.TagKey, "off");

        await mesh.WaitForTagAsync(instance, "disabled");
        Assert.Equal("removed", instance.Tag("IPSec:Status"));
        Assert.Null(instance.Tag("IPSec:CertExpiry"));
        Assert.False(((VirtualHost)instance.Runtime).State.Installed);
        Assert.Contains(mesh.Aws.ListKeys("issued/"), k => k.Contains("crl", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task A_host_the_policy_would_leave_in_clear_fails_enrolment_saying_why()
    {
        await using var mesh = new MeshFixture();
        // The default policy encrypts the default VPC (172.31.0.0/16) only.
        var vpc = mesh.Aws.Fleet.CreateVpc("10.50.0.0/16");
        var instance = mesh.Aws.Fleet.Launch(InstanceSpec.Tagged(MeshFixture.TagKey, "todo") with { VpcId = vpc.VpcId, Runtime = new VirtualHost(VirtualHostOptions.Instant) });
        await mesh.StartControllerAsync(Token);

        await mesh.WaitForTagAsync(instance, "failed");
        Assert.Matches(@"^address 10\.50\.\d+\.\d+ is in no mesh policy group: peers would reach it in clear$", instance.Tag("IPSec:Status"));
        Assert.False(((VirtualHost)instance.Runtime).State.Installed);
    }

    [Fact]
    public async Task An_agent_that_comes_online_late_is_waited_for_not_failed()
    {
        await using var mesh = new MeshFixture();
        var instance = mesh.Launch(agentDelay: TimeSpan.FromMinutes(3));
        await mesh.StartControllerAsync(Token);

        await mesh.WaitForAsync(() => instance.Tag("IPSec:Status") == "waiting for SSM agent", "the waiting status");
        Assert.Equal("todo", instance.Tag(MeshFixture.TagKey));
        await mesh.WaitForTagAsync(instance, "enabled");
    }

    [Fact]
    public async Task A_host_whose_nss_database_install_re_created_gets_a_new_key_and_certificate_not_the_old_one()
    {
        await using var mesh = new MeshFixture();
        var instance = mesh.Launch();
        var host = (VirtualHost)instance.Runtime;
        await mesh.StartControllerAsync(Token);
        await mesh.WaitForTagAsync(instance, "enabled");
        var first = host.State;

        // A damaged NSS database; the team's todo reinstalls, which re-creates it: key and certificate are gone.
        host.DamageNssDatabase();
        mesh.Aws.Fleet.SetTag(instance.InstanceId, MeshFixture.TagKey, "todo");

        await mesh.WaitForTagAsync(instance, "enabled");
        var after = host.State;
        Assert.NotNull(after.CertSerial);
        Assert.NotEqual(first.CertSerial, after.CertSerial);
        Assert.Equal(first.VerbCounts[AgentVerbs.Install] + 1, after.VerbCounts[AgentVerbs.Install]);
        Assert.Equal(first.VerbCounts[AgentVerbs.Csr] + 1, after.VerbCounts[AgentVerbs.Csr]);
        // Straight to a new CSR: the registry's certificate, whose key is gone, was never sent.
        Assert.Equal(first.VerbCounts[AgentVerbs.InstallCert] + 1, after.VerbCounts[AgentVerbs.InstallCert]);
        Assert.Equal(after.CertNotAfter?.ToString("yyyy-MM-ddTHH:mm:00Z"), instance.Tag("IPSec:CertExpiry"));
    }
}
