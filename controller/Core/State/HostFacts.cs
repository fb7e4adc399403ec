using System.Globalization;

namespace IpsecMesh.Core.State;

/// <summary>
/// What the controller itself saw confirmed on a host: the config hash the last successful install or apply-config put in
/// force, and the notAfter (UTC, to the second) of the certificate the last successful install-cert loaded. Kept in
/// <see cref="HostFactsStore"/>, never read back from tags: anyone may write tags on their own instances.
/// </summary>
public sealed record HostFacts(string? ConfigHash, DateTimeOffset? CertExpiry)
{
    public static HostFacts None { get; } = new(null, null);

    public bool IsEmpty => ConfigHash is null && CertExpiry is null;

    /// <summary>
    /// The <c>IPSec:CertExpiry</c> tag's value for an expiry: ISO-8601 UTC rounded down to the minute
    /// (<c>2026-12-08T10:41:00Z</c>), so that hosts enrolled together carry the same value and share one CreateTags call.
    /// </summary>
    public static string ExpiryTag(DateTimeOffset expiry)
    {
        var utc = expiry.UtcDateTime;
        return new DateTime(utc.Year, utc.Month, utc.Day, utc.Hour, utc.Minute, 0, DateTimeKind.Utc).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
    }
}

/// <summary>A change to a host's facts that a decision concluded: values to set, facts to forget; null members leave a fact as it is.</summary>
public sealed record HostFactsChange(string? ConfigHash = null, DateTimeOffset? CertExpiry = null, bool ForgetConfig = false, bool ForgetCertificate = false)
{
    public static HostFactsChange ForgetAll { get; } = new(ForgetConfig: true, ForgetCertificate: true);

    public bool IsEmpty => ConfigHash is null && CertExpiry is null && !ForgetConfig && !ForgetCertificate;

    public HostFacts ApplyTo(HostFacts facts) => new(
        ForgetConfig ? null : ConfigHash ?? facts.ConfigHash,
        ForgetCertificate ? null : CertExpiry ?? facts.CertExpiry);
}
