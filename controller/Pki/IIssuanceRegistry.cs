namespace IpsecMesh.Pki;

/// <summary>
/// The record of every issued certificate and every revocation under <c>issued/</c>, and the CRLs under <c>issued/crl/</c>
/// (layout: <see cref="Registry.RegistryLayout"/>; docs/pki.md).
/// </summary>
public interface IIssuanceRegistry
{
    /// <summary>
    /// Each instance's newest certificate that is not revoked, keyed by instance id, from one paginated listing of <c>issued/</c>
    /// (no read per instance); <see cref="IssuedCertificate.CertificatePem"/> is empty. Revocation markers of earlier versions count
    /// as revocations (and are turned into records).
    /// </summary>
    Task<IReadOnlyDictionary<string, IssuedCertificate>> LoadCurrentAsync(CancellationToken cancellationToken);

    /// <exception cref="KeyNotFoundException">The certificate is not in the registry.</exception>
    Task<string> GetCertificatePemAsync(IssuedCertificate certificate, CancellationToken cancellationToken);

    /// <summary>Stores an issued certificate (never a key).</summary>
    Task RecordAsync(IssuedCertificate certificate, CancellationToken cancellationToken);

    /// <summary>
    /// Revokes every unexpired certificate of those instances (reason cessationOfOperation; <paramref name="reason"/> is the log's
    /// wording) and publishes the CRL of each trusted CA that issued one. Revoking twice changes nothing.
    /// </summary>
    Task RevokeAsync(IReadOnlyCollection<string> instanceIds, string reason, CancellationToken cancellationToken);

    /// <summary>
    /// Revokes (reason superseded) the instance's unexpired certificates issued before <paramref name="newest"/> whose names hash
    /// differs from its own, so an address the instance lost cannot be claimed with an older certificate. Certificates with
    /// the same names (routine renewals) stay valid until they expire.
    /// </summary>
    /// <returns>The certificates this call revoked (none when the names did not change or they were revoked before).</returns>
    Task<IReadOnlyList<IssuedCertificate>> RevokeSupersededAsync(IssuedCertificate newest, CancellationToken cancellationToken);

    /// <summary>Several revocations with one CRL publication per CA they touch: what <see cref="RevokeAsync"/> and <see cref="RevokeSupersededAsync"/> do, at once.</summary>
    /// <returns>For each distinct request, the certificates it revoked.</returns>
    Task<IReadOnlyDictionary<RevocationRequest, IReadOnlyList<IssuedCertificate>>> RevokeBatchAsync(IReadOnlyCollection<RevocationRequest> requests, CancellationToken cancellationToken);

    /// <summary>
    /// Revokes (reason superseded) every unexpired certificate that one of <paramref name="caIds"/> issued, with one CRL
    /// publication per CA: the end of a CA rotation, before those CAs leave the trust bundle (hosts keep trusting a CA that
    /// left until their pluto restarts; docs/pki.md). <paramref name="why"/> is the log's wording.
    /// </summary>
    /// <returns>The certificates this call revoked.</returns>
    Task<IReadOnlyList<IssuedCertificate>> RevokeIssuedByAsync(IReadOnlyCollection<string> caIds, string why, CancellationToken cancellationToken);

    /// <summary>
    /// Each address a certificate revoked within <paramref name="window"/> named, less those its instance still holds with
    /// the certificate that superseded it, from the revocation records of the trusted CAs (one listing per CA; each record's
    /// body read once per process). Hosts tear down their SAs with these addresses once the CRL revoking the serial is in force.
    /// </summary>
    Task<IReadOnlyList<RevokedPeer>> RecentRevocationsAsync(TimeSpan window, CancellationToken cancellationToken);

    /// <summary>
    /// For every trusted CA: publishes a CRL derived from the revocation records when there is no stored CRL that verifies
    /// under the CA, when a record is missing from it, or when less than half of its lifetime (<see cref="PkiOptions.CrlLifetime"/>)
    /// is left; otherwise changes nothing.
    /// </summary>
    Task RefreshCrlsAsync(CancellationToken cancellationToken);

    /// <summary>
    /// The published CRL of each of <paramref name="caIds"/> that has one which verifies under that CA, in the order given (one read
    /// per CA). A stored CRL that does not verify is left out and reported.
    /// </summary>
    Task<IReadOnlyList<PublishedCrl>> GetCrlsAsync(IReadOnlyList<string> caIds, CancellationToken cancellationToken);
}
