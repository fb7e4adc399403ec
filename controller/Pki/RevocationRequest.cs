namespace IpsecMesh.Pki;

/// <summary>
/// One thing to revoke. Without <see cref="SupersededBy"/>: every unexpired certificate of the instance
/// (reason cessationOfOperation). With it: only the instance's unexpired certificates issued before
/// <see cref="SupersededBy"/> whose names hash differs from it (reason superseded).
/// </summary>
public sealed record RevocationRequest(string InstanceId, string Why, IssuedCertificate? SupersededBy)
{
    public RevocationReason Reason => SupersededBy is null ? RevocationReason.CessationOfOperation : RevocationReason.Superseded;

    /// <summary>Every unexpired certificate of <paramref name="instanceId"/>; <paramref name="why"/> is for the log ("opted out").</summary>
    public static RevocationRequest AllOf(string instanceId, string why) => new(instanceId, why, null);

    /// <summary>The certificates that <paramref name="newest"/> replaces because the instance's names changed.</summary>
    public static RevocationRequest Superseded(IssuedCertificate newest) => new(newest.InstanceId, "names changed", newest);
}
