namespace IpsecMesh.Core.Reconcile;

/// <summary>The one next step for an instance. Each kind has one meaning.</summary>
public abstract record Decision(string Why)
{
    /// <summary>Nothing to do; look again after <paramref name="RequeueAfter"/> (null: only on an event or resync).</summary>
    public sealed record Idle(string Why, TimeSpan? RequeueAfter) : Decision(Why);

    /// <summary>A failed instance waits out its backoff before the next attempt.</summary>
    public sealed record Backoff(TimeSpan After, string Why) : Decision(Why);

    /// <summary>The decision needs facts that cost API calls: the SSM agent's ping status and the security groups.</summary>
    public sealed record ObserveHost(string Why) : Decision(Why);

    /// <summary>Wait for something outside the controller, saying so on the status tag.</summary>
    public sealed record Wait(string Status, TimeSpan? RequeueAfter, string Why) : Decision(Why);

    /// <summary>A command of ours is running on the host: poll it later, never block on it.</summary>
    public sealed record Poll(TimeSpan After, string Why) : Decision(Why);

    /// <summary>Send verbs to the host; <paramref name="Status"/> goes on the status tag while it runs.
    /// <paramref name="AppliedConfigHash"/>: a config the last command applied, recorded with the send;
    /// <paramref name="ForgetCertificate"/>: the host lost its certificate, so the certificate expiry tag goes.</summary>
    public sealed record Send(IReadOnlyList<string> Verbs, string Status, string Why, string? AppliedConfigHash = null, bool ForgetCertificate = false) : Decision(Why);

    /// <summary>Sign the CSR the host produced with names from EC2, then send install-cert.</summary>
    public sealed record SignAndInstall(string CsrBase64, string Reason, string? AppliedConfigHash, string Why) : Decision(Why);

    /// <summary>Issue a key and certificate centrally (PKCS#12 mode), then send install-p12.</summary>
    public sealed record IssueKeyAndInstall(string Reason, string? AppliedConfigHash, string Why) : Decision(Why);

    /// <summary>Install the registry's newest certificate, which the host's key matches (recovery without a second issuance).</summary>
    public sealed record InstallIssued(string Why) : Decision(Why);

    /// <summary>Record on the tags what the host now has.</summary>
    /// <param name="ForgetCertificate">The host presents another certificate than the one issued to it: the certificate expiry tag goes, so the next step installs the issued one.</param>
    public sealed record MarkApplied(string? ConfigHash, DateTimeOffset? CertExpiry, bool Enabled, string Why, bool ForgetCertificate = false) : Decision(Why);

    /// <summary>Report a failure on the tags and retry with backoff; <paramref name="KeepPhase"/> leaves the main tag as it is (a failed removal stays <c>off</c>);
        /// <paramref name="ForgetConfig"/>: the failure may have left the host half-configured, so the next attempt installs again.</summary>
    public sealed record MarkFailed(string Reason, bool KeepPhase, string Why, bool ForgetConfig = false) : Decision(Why);

    /// <summary>The instance left the mesh (off, disabled, or its tag deleted): revoke its certificate now, before and regardless of any uninstall.</summary>
    /// <param name="Reason">Why, for the log and the registry ("opted out (off)").</param>
    /// <param name="Label">The reason as a metric label: off, disabled, tag_deleted.</param>
    public sealed record Revoke(string Reason, string Label, string Why) : Decision(Why);

    /// <summary>Nothing of ours is left on the host: say so on the tags. <paramref name="TagDeleted"/>: the team deleted the main tag, so only our own tags are removed.</summary>
    public sealed record MarkDisabled(string Why, bool TagDeleted = false) : Decision(Why);

    /// <summary>The instance is gone: revoke its certificate and forget it.</summary>
    public sealed record Retire(string Why) : Decision(Why);
}
