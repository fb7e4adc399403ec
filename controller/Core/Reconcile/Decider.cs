using IpsecMesh.Core.Model;
using IpsecMesh.HostAgent.Protocol;

namespace IpsecMesh.Core.Reconcile;

/// <summary>
/// The reconcile decision: a pure function of (observation, timings). It names the one next step
/// toward the desired state; the reconciler carries it out and looks again.
/// </summary>
public static partial class Decider
{
    public static Decision Decide(Observation o, DecisionTimings timings)
    {
        var instance = o.Instance;
        if (instance is null || instance.IsGone)
            return new Decision.Retire(instance is null ? "EC2 no longer knows the instance" : $"instance is {instance.State}");

        // Leaving the mesh never waits on the host: the certificate is revoked first, whatever runs,
        // whatever state the instance is in, whether or not its uninstall can run or succeeds.
        if (OptsOut(o.Phase) && o.Certificate is not null)
            return new Decision.Revoke(RevocationReason(o.Phase), RevocationLabel(o.Phase), "the instance left the mesh; its certificate is still valid");

        if (o.Command is { IsFinished: false } running)
            return new Decision.Poll(timings.CommandPoll, $"{Verbs(running)} is {running.Status}");

        if (o.Command is { IsFinished: true } finished && Consume(o, finished) is { } next)
            return next;

        return o.Phase switch
        {
            Phase.Unknown => o.StatusTag == StatusText.UnknownValue(o.TagValue)
                ? new Decision.Idle("tag value is unknown and already reported", null)
                : new Decision.Wait(StatusText.UnknownValue(o.TagValue), null, "tag value is unknown"),
            Phase.Off or Phase.Disabled or Phase.Absent => DecideRemoval(o, instance, timings),
            _ => DecideEnrolment(o, instance, timings),
        };
    }

    /// <summary>off, disabled (whoever wrote it) and a deleted tag all mean "out of the mesh".</summary>
    private static bool OptsOut(Phase phase) => phase is Phase.Off or Phase.Disabled or Phase.Absent;

    private static string RevocationReason(Phase phase) => phase switch
    {
        Phase.Off => "opted out (off)",
        Phase.Disabled => "opted out (disabled)",
        _ => "opted out (tag deleted)",
    };

    private static string RevocationLabel(Phase phase) => phase switch
    {
        Phase.Off => "off",
        Phase.Disabled => "disabled",
        _ => "tag_deleted",
    };

    /// <summary>The certificate is revoked by now; what is left is the software and config on the host.</summary>
    private static Decision DecideRemoval(Observation o, InstanceSnapshot instance, DecisionTimings timings)
    {
        var onHost = o.AppliedConfigHash is not null || o.InstalledCertExpiry is not null;
        if (!onHost)
        {
            return o.Phase switch
            {
                Phase.Off => new Decision.MarkDisabled("nothing of ours is on the host"),
                Phase.Disabled => new Decision.Idle("IPsec is disabled", null),
                _ => new Decision.Idle("instance is not tagged", null),
            };
        }
        if (!instance.IsRunning) return new Decision.Wait(StatusText.RevokedAnd(StatusText.InstanceState(instance.State)), null, "removal waits for the instance to run");
        if (o.AgentOnline is null) return new Decision.ObserveHost("removal needs the SSM agent");
        if (o.AgentOnline == false) return new Decision.Wait(StatusText.RevokedAnd(StatusText.WaitingForAgent), timings.AgentWait, "SSM agent is not online");
        return new Decision.Send([AgentVerbs.Uninstall], StatusText.Removing, $"phase is {o.Phase}");
    }

    private static Decision DecideEnrolment(Observation o, InstanceSnapshot instance, DecisionTimings timings)
    {
        if (!instance.IsRunning) return new Decision.Wait(StatusText.InstanceState(instance.State), null, "enrolment waits for the instance to run");
        // A host that sent a CSR for a key it does not hold would get a new certificate on every retry: it waits for an operator's todo.
        if (o.Phase == Phase.Failed && o.StatusTag == StatusText.ForeignCsrKey)
            return new Decision.Idle("the host's CSR was not its own; waiting for an operator", null);
        if (o.Phase == Phase.Failed && o.RetryNotBefore is { } retryAt && retryAt > o.Now)
            return new Decision.Backoff(retryAt - o.Now, "failed; backing off");

        var certificateNeed = CertificateNeed(o);
        // An issued certificate the host has not installed yet comes from an enrolment that was cut
        // short (a crash, a failed install-cert): install that one rather than sign a new CSR.
        var resumable = certificateNeed == NotInstalled && !o.Desired.ControllerGeneratesKeys;
        // A user's todo reinstalls; a failed instance whose install went through (the config tag
        // survives only then) is repaired step by step.
        var fullInstall = o.AppliedConfigHash is null || (o.Phase == Phase.Todo && !resumable);
        var configStale = o.AppliedConfigHash != o.Desired.ConfigHash;

        if (fullInstall || certificateNeed is not null || configStale)
        {
            if (o.AgentOnline is null || !o.SecurityChecked) return new Decision.ObserveHost("a command is due");
            if (o.AgentOnline == false) return new Decision.Wait(StatusText.WaitingForAgent, timings.AgentWait, "SSM agent is not online");
            // Enrolling a host the policy leaves in clear would tag it enabled while everything sent to it is clear.
            if (fullInstall && o.CoverageProblem is { } uncovered) return new Decision.MarkFailed(uncovered, KeepPhase: false, "the policy does not encrypt to the host");
            if (o.SecurityProblem is { } problem) return new Decision.MarkFailed(problem, KeepPhase: false, "security groups block IPsec");
            var controllerKeys = o.Desired.ControllerGeneratesKeys;
            if (fullInstall)
            {
                var withCsr = !controllerKeys && certificateNeed is not null && !resumable;
                return new Decision.Send(withCsr ? [AgentVerbs.Install, AgentVerbs.Csr] : [AgentVerbs.Install], StatusText.Installing, $"phase is {o.Phase}");
            }
            if (resumable)
                return new Decision.InstallIssued("the newest issued certificate is not on the host yet");
            if (certificateNeed is not null)
            {
                if (controllerKeys && configStale) return new Decision.Send([AgentVerbs.ApplyConfig], StatusText.ApplyingConfig, "config changed");
                if (controllerKeys) return new Decision.IssueKeyAndInstall(certificateNeed, null, certificateNeed);
                return new Decision.Send(configStale ? [AgentVerbs.ApplyConfig, AgentVerbs.Csr] : [AgentVerbs.Csr],
                    $"renewing certificate: {certificateNeed}", certificateNeed);
            }
            return new Decision.Send([AgentVerbs.ApplyConfig], StatusText.ApplyingConfig, "config changed");
        }

        if (o.Phase != Phase.Enabled || o.StatusTag != StatusText.Enrolled)
            return new Decision.MarkApplied(null, null, Enabled: true, "host has everything; tag says otherwise");
        // Someone rewrote the display tags: they show the host facts again (no command; the facts are unchanged).
        if (o.TagsShowOtherFacts)
            return new Decision.MarkApplied(o.AppliedConfigHash, o.InstalledCertExpiry, Enabled: true, "host has everything; display tags say otherwise");
        var renewal = o.Certificate!.IssuedAt + o.Desired.RenewAfter;
        return new Decision.Idle("converged", Max(renewal - o.Now, TimeSpan.FromSeconds(1)));
    }

    private const string NotInstalled = "certificate not installed";

    /// <summary>Why the instance needs a (new) certificate, or null when the installed one is right.</summary>
    private static string? CertificateNeed(Observation o)
    {
        var c = o.Certificate;
        if (c is null) return "no certificate";
        if (o.Now >= c.NotAfter) return "certificate expired";
        if (o.IdentityNamesHash is not null && c.NamesHash != o.IdentityNamesHash) return "addresses changed";
        if (o.Now - c.IssuedAt >= o.Desired.RenewAfter) return "renewal due";
        if (c.CaId != o.Desired.CurrentCaId && o.Desired.CaReissueAllowed) return "CA rotated";
        if (o.InstalledCertExpiry is not { } installed || Truncate(installed) != Truncate(c.NotAfter)) return NotInstalled;
        return null;
    }

    /// <summary>Serial numbers as hex, whatever the leading zeros and case (the agent prints whole bytes, the registry its own form).</summary>
    private static bool SameSerial(string a, string b) =>
        string.Equals(a.TrimStart('0'), b.TrimStart('0'), StringComparison.OrdinalIgnoreCase);

    private static DateTimeOffset Truncate(DateTimeOffset t) => new(t.UtcTicks - t.UtcTicks % TimeSpan.TicksPerSecond, TimeSpan.Zero);

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
