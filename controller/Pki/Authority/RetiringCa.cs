namespace IpsecMesh.Pki.Authority;

/// <summary>
/// A CA a rotation replaced. It stays in the trust bundle until <see cref="RetireAt"/> and, when <see cref="HoldUntilRevoked"/>
/// (every rotation since hosts keep trusting a CA that left until their pluto restarts), until every certificate it issued
/// is revoked (<see cref="CertificatesRevokedAt"/>): a CA leaves hosts only once nothing it signed is still good.
/// </summary>
public sealed record RetiringCa(string CaId, DateTimeOffset RetireAt)
{
    public bool HoldUntilRevoked { get; init; }

    public DateTimeOffset? CertificatesRevokedAt { get; init; }

    /// <summary>Waiting for the controller to revoke its certificates (see <see cref="CaRetirement"/>).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool AwaitsRevocation => HoldUntilRevoked && CertificatesRevokedAt is null;

    public bool TrustedAt(DateTimeOffset now) => RetireAt > now || AwaitsRevocation;
}
