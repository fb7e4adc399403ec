namespace IpsecMesh.Core.Model;

/// <summary>Everything the decision needs about one instance, observed at <see cref="Now"/>.</summary>
public sealed record Observation
{
    public required string InstanceId { get; init; }
    /// <summary>Null when EC2 no longer knows the instance.</summary>
    public InstanceSnapshot? Instance { get; init; }
    /// <summary>The main (<c>IPSec</c>) tag's raw value (for the message when it is unknown).</summary>
    public string? TagValue { get; init; }
    public Phase Phase { get; init; }
    /// <summary>Names hash of the identity EC2 reports now (changes with the IP set).</summary>
    public string? IdentityNamesHash { get; init; }
    /// <summary>The config hash the controller saw the host apply (its host facts, never a tag).</summary>
    public string? AppliedConfigHash { get; init; }
    /// <summary>The notAfter of the certificate the controller saw the host load (its host facts, never a tag).</summary>
    public DateTimeOffset? InstalledCertExpiry { get; init; }
    /// <summary>The display tags IPSec:Config and IPSec:CertExpiry show something else than the host facts (someone wrote them).</summary>
    public bool TagsShowOtherFacts { get; init; }
    public string? StatusTag { get; init; }
    public CommandSnapshot? Command { get; init; }
    /// <summary>The install-cert in flight carries a certificate signed from the CSR the host just sent.</summary>
    public bool InstallingCertFromCsr { get; init; }
    /// <summary>That CSR came from a renewal's csr (sent while the host was enrolled), not from an install.</summary>
    public bool CsrFromRenewal { get; init; }
    public CertificateFacts? Certificate { get; init; }
    /// <summary>Null until asked for: only fetched when the decision wants to send a command.</summary>
    public bool? AgentOnline { get; init; }
    /// <summary>Null when asked and fine, or not yet asked (see <see cref="SecurityChecked"/>).</summary>
    public string? SecurityProblem { get; init; }
    public bool SecurityChecked { get; init; }
    /// <summary>Null when the host's addresses lie in an encrypting group of the config it would get, else why not (checked with the security groups).</summary>
    public string? CoverageProblem { get; init; }
    /// <summary>Earliest time a failed instance may be retried: the work queue's backoff (<c>IRetryBackoff</c>), null when none.</summary>
    public DateTimeOffset? RetryNotBefore { get; init; }
    public required DesiredState Desired { get; init; }
    public required DateTimeOffset Now { get; init; }
}
