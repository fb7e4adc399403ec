using System.Net;

namespace IpsecMesh.Pki;

/// <summary>Settings of the mesh PKI (section <c>IpsecMesh</c>); durations are <see cref="TimeSpan"/>s.</summary>
public sealed record PkiOptions
{
    public CaKeyMode CaKeyMode { get; init; } = CaKeyMode.Envelope;

    public CaAlgorithm CaAlgorithm { get; init; } = CaAlgorithm.EcdsaP384;

    public string CaCommonName { get; init; } = "ipsec-mesh CA";

    public TimeSpan CaLifetime { get; init; } = TimeSpan.FromDays(3652);

    public TimeSpan CertificateLifetime { get; init; } = TimeSpan.FromDays(30);

    public TimeSpan RenewAfter { get; init; } = TimeSpan.FromDays(7);

    public TimeSpan ClockSkewBackdate { get; init; } = TimeSpan.FromMinutes(5);

    public EnrolmentMode EnrolmentMode { get; init; } = EnrolmentMode.HostKey;

    public HostKeyAlgorithm ControllerKeyAlgorithm { get; init; } = HostKeyAlgorithm.EcdsaP256;

    public string Bucket { get; init; } = string.Empty;

    public string CaKmsKeyId { get; init; } = string.Empty;

    public string HostKmsKeyId { get; init; } = string.Empty;

    /// <summary>Optional mesh CIDRs; when set, the CA certificate permits IP SANs only inside them.</summary>
    public IReadOnlyList<string> NameConstraints { get; init; } = [];

    /// <summary>How long the previous CA stays in the trust bundle after <c>ca rotate</c>.</summary>
    public TimeSpan RotationOverlap { get; init; } = TimeSpan.FromDays(30);

    /// <summary>The nextUpdate distance of a published CRL.</summary>
    public TimeSpan CrlLifetime { get; init; } = TimeSpan.FromDays(7);

    /// <summary>
    /// After a rotation's replaced CA had its certificates revoked (<see cref="Authority.CaRetirement"/>), how long it stays in
    /// the trust bundle at least, so the CRL revoking them reaches every host before the bundle drops the CA.
    /// </summary>
    public TimeSpan CaRetirementGrace { get; init; } = TimeSpan.FromHours(1);

    /// <summary>How long the CA state read from <c>ca/</c> is reused before it is read again.</summary>
    public TimeSpan CaStateRefreshInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Every invalid PKI setting as a sentence that starts with the setting's name (e.g. "RenewAfter (…) must be …").</summary>
    public IReadOnlyList<string> Validate() => Check().Select(e => e.Text).ToList();

    /// <summary>Every invalid PKI setting, keyed by the setting it names; empty when valid.</summary>
    public IReadOnlyList<SettingError> Check()
    {
        var errors = new List<SettingError>();
        RequirePositive(errors, nameof(CaLifetime), CaLifetime);
        RequirePositive(errors, nameof(CertificateLifetime), CertificateLifetime);
        RequirePositive(errors, nameof(RenewAfter), RenewAfter);
        RequirePositive(errors, nameof(RotationOverlap), RotationOverlap);
        RequirePositive(errors, nameof(CrlLifetime), CrlLifetime);
        if (CaRetirementGrace < TimeSpan.Zero)
        {
            errors.Add(new SettingError("CaRetirementGrace", $"CaRetirementGrace ({CaRetirementGrace}) must not be negative"));
        }

        if (RenewAfter >= CertificateLifetime)
        {
            errors.Add(new SettingError("RenewAfter", $"RenewAfter ({RenewAfter}) must be shorter than CertificateLifetime ({CertificateLifetime})"));
        }

        if (CertificateLifetime >= CaLifetime)
        {
            errors.Add(new SettingError("CertificateLifetime", $"CertificateLifetime ({CertificateLifetime}) must be shorter than CaLifetime ({CaLifetime})"));
        }

        if (ClockSkewBackdate < TimeSpan.Zero || ClockSkewBackdate > TimeSpan.FromHours(1))
        {
            errors.Add(new SettingError("ClockSkewBackdate", $"ClockSkewBackdate ({ClockSkewBackdate}) must be between 0 and 01:00:00"));
        }

        if (CaStateRefreshInterval < TimeSpan.Zero)
        {
            errors.Add(new SettingError("CaStateRefreshInterval", $"CaStateRefreshInterval ({CaStateRefreshInterval}) must not be negative"));
        }

        if (string.IsNullOrWhiteSpace(CaCommonName))
        {
            errors.Add(new SettingError("CaCommonName", "CaCommonName must not be empty"));
        }

        if (string.IsNullOrWhiteSpace(CaKmsKeyId))
        {
            errors.Add(new SettingError("CaKmsKeyId", "CaKmsKeyId is required (the KMS key of the CA key envelope, or the CA key itself in KmsSigner mode)"));
        }

        if (EnrolmentMode == EnrolmentMode.ControllerKey && string.IsNullOrWhiteSpace(HostKmsKeyId))
        {
            errors.Add(new SettingError("HostKmsKeyId", "HostKmsKeyId is required in EnrolmentMode ControllerKey (it protects the PKCS#12 passwords)"));
        }

        foreach (var cidr in NameConstraints)
        {
            if (!IPNetwork.TryParse(cidr, out _))
            {
                errors.Add(new SettingError("NameConstraints", $"NameConstraints: '{cidr}' is not a CIDR such as 10.0.0.0/16"));
            }
        }

        return errors;
    }

    /// <exception cref="PkiOptionsException">Every validation error, at once.</exception>
    public PkiOptions EnsureValid()
    {
        var errors = Validate();
        return errors.Count == 0 ? this : throw new PkiOptionsException(errors);
    }

    private static void RequirePositive(List<SettingError> errors, string name, TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
        {
            errors.Add(new SettingError(name, $"{name} ({value}) must be positive"));
        }
    }
}
