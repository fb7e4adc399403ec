using IpsecMesh.Core.Model;
using IpsecMesh.HostAgent.Protocol;

namespace IpsecMesh.Core.Reconcile;

/// <summary>The decision's reading of a finished command: what its results mean for the instance.</summary>
public static partial class Decider
{
    /// <summary>What to do with a command that finished and whose outcome has not been acted on yet.</summary>
    private static Decision? Consume(Observation o, CommandSnapshot done)
    {
        var failed = done.Results.FirstOrDefault(r => !r.Ok);
        if (done.Status != CommandStatus.Success || failed is not null)
        {
            if (failed?.Verb == AgentVerbs.InstallCert && failed.Code == "no_matching_key")
            {
                // The host holds no key for a certificate signed from the CSR it just sent: its CSR was
                // not its own. Asking again would sign forever; it is the host's fault, reported as such.
                // Unless the team asked for a reinstall (todo) after a renewal's CSR went out: root on the host may
                // have replaced that key meanwhile, and their todo must not be overwritten by a failure. A CSR
                // asked for while the tag said todo (with the install, or alone after it) has no such excuse.
                if (o.InstallingCertFromCsr && o.CsrFromRenewal && o.Phase == Phase.Todo)
                    return new Decision.Send([AgentVerbs.Install, AgentVerbs.Csr], StatusText.Installing, "todo: the certificate of an older CSR has no key on the host");
                if (o.InstallingCertFromCsr)
                    return new Decision.MarkFailed(StatusText.ForeignCsrKey, false, "CSR key not on the host");
                return new Decision.Send([AgentVerbs.Csr], "requesting a new certificate", "host key does not match the issued certificate");
            }
            var removal = done.Includes(AgentVerbs.Uninstall);
            // An enrolment step that failed after the team opted out: the removal goes on regardless.
            if (OptsOut(o.Phase) && !removal) return null;
            var reason = FailureReason(done, failed);
            if (removal) reason = StatusText.Clean(reason + StatusText.RevokedSuffix);
            var halfConfigured = failed?.Verb is AgentVerbs.Install or AgentVerbs.ApplyConfig
                || (failed is null && (done.Includes(AgentVerbs.Install) || done.Includes(AgentVerbs.ApplyConfig)));
            return new Decision.MarkFailed(reason, KeepPhase: removal || o.Phase == Phase.Off, $"{Verbs(done)} failed", ForgetConfig: halfConfigured && !removal);
        }

        if (done.Includes(AgentVerbs.Uninstall))
            return OptsOut(o.Phase) ? new Decision.MarkDisabled("uninstall succeeded", TagDeleted: o.Phase == Phase.Absent) : null;
        // The config the host now has is the one this controller sent, confirmed by the host echoing it: never a value the host chose.
        var appliedConfig = done.Includes(AgentVerbs.Install) || done.Includes(AgentVerbs.ApplyConfig) ? done.SentConfigHash : null;
        var echoed = done.Result(AgentVerbs.Install)?.GetString("configHash") ?? done.Result(AgentVerbs.ApplyConfig)?.GetString("configHash");
        if (appliedConfig is not null && echoed != appliedConfig)
            return new Decision.MarkFailed(StatusText.Clean($"config apply failed: the host reported config {echoed ?? "none"}, not the {appliedConfig} it was sent"),
                KeepPhase: OptsOut(o.Phase), "the host's result names another config", ForgetConfig: true);
        // The team opted out while an install ran: record what is now on the host so the removal takes it off.
        if (OptsOut(o.Phase))
            return appliedConfig is not null && appliedConfig != o.AppliedConfigHash ? new Decision.MarkApplied(appliedConfig, null, Enabled: false, "an install finished after the opt-out") : null;

        // An install that re-created a damaged NSS database left the host without its key and its
        // certificate: the next step is a new CSR, never the registry's certificate (its key is gone).
        // (With controller-made keys, every install is followed by a new key and certificate anyway.)
        if (done.Result(AgentVerbs.Install)?.GetBool("nssReinitialised") == true && done.Result(AgentVerbs.Csr) is null && !o.Desired.ControllerGeneratesKeys)
            return new Decision.Send([AgentVerbs.Csr], StatusText.NssRecreated, "install re-created the host's NSS database", appliedConfig, ForgetCertificate: true);
        if (done.Result(AgentVerbs.Csr)?.GetString("csr") is { } csr)
        {
            // A certificate issued after this command was sent was signed from this very CSR before a restart: install it, never sign twice.
            if (o.Certificate is { } c && c.IssuedAt >= done.SentAt && o.Now < c.NotAfter)
                return new Decision.InstallIssued("the CSR was already signed");
            return new Decision.SignAndInstall(csr, done.Includes(AgentVerbs.Install) ? "enrol" : "renew", appliedConfig, "host sent a CSR");
        }
        if (done.Includes(AgentVerbs.Install) && o.Desired.ControllerGeneratesKeys)
            return new Decision.IssueKeyAndInstall("enrol", appliedConfig, "libreswan installed; key and certificate come from the controller");
        var installed = done.Result(AgentVerbs.InstallCert) ?? done.Result(AgentVerbs.InstallP12);
        if (installed is not null)
        {
            var expiry = DateTimeOffset.TryParse(installed.GetString("notAfter"), out var notAfter) ? notAfter : (DateTimeOffset?)null;
            return new Decision.MarkApplied(null, expiry, Enabled: true, "certificate installed");
        }
        // A host presenting another certificate than the one issued to it (tampered, restored from an
        // old image): record the config, forget the certificate, and the next step installs the issued one.
        if (done.Result(AgentVerbs.Install)?.GetString("certSerial") is { } presented && o.Certificate is { } issued && !SameSerial(presented, issued.SerialHex))
            return new Decision.MarkApplied(appliedConfig, null, Enabled: false, "the host presents another certificate than the one issued to it", ForgetCertificate: true);
        // An install (or apply-config) alone: the host is enabled if its certificate is right, else the next step installs one.
        if (appliedConfig is not null)
            return new Decision.MarkApplied(appliedConfig, null, Enabled: CertificateNeed(o) is null && appliedConfig == o.Desired.ConfigHash, "config applied");
        return null;
    }

    private static string FailureReason(CommandSnapshot done, AgentResult? failed)
    {
        var verb = failed?.Verb ?? done.Verbs[^1];
        var what = verb switch
        {
            AgentVerbs.Install => "install failed",
            AgentVerbs.Uninstall => "uninstall failed",
            AgentVerbs.Csr => "certificate request failed",
            AgentVerbs.InstallCert or AgentVerbs.InstallP12 => "certificate install failed",
            AgentVerbs.ApplyConfig => "config apply failed",
            _ => $"{verb} failed",
        };
        if (failed is not null)
            return StatusText.Clean($"{what}: {failed.Code}: {failed.Error}{(failed.Code == "unsupported_version" ? StatusText.UnsupportedVersionAdvice : "")}");
        return done.Status switch
        {
            CommandStatus.TimedOut => StatusText.Clean($"{what}: command timed out"),
            CommandStatus.Cancelled => StatusText.Clean($"{what}: command cancelled"),
            _ => StatusText.Clean($"{what}: {done.ErrorTail ?? "no result from the host agent"}"),
        };
    }

    private static string Verbs(CommandSnapshot command) => string.Join('+', command.Verbs);
}
