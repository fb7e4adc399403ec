namespace IpsecMesh.Pki;

/// <summary>The record of every issued certificate under <c>issued/</c>, and the CRLs under <c>issued/crl/</c>.</summary>
public interface IIssuanceRegistry
{
    /// <summary>
    /// Each instance's newest unrevoked certificate, keyed by instance id, from one paginated listing of <c>issued/</c>
    /// (no read per instance); <see cref="IssuedCertificate.CertificatePem"/> is empty.
    /// </summary>
    Task<IReadOnlyDictionary<string, IssuedCertificate>> LoadCurrentAsync(CancellationToken cancellationToken);

    Task<string> GetCertificatePemAsync(IssuedCertificate certificate, CancellationToken cancellationToken);

    /// <summary>Stores an issued certificate (never a key).</summary>
    Task RecordAsync(IssuedCertificate certificate, CancellationToken cancellationToken);

    /// <summary>
    /// Revokes every unexpired certificate of those instances and publishes new CRLs, signed by each issuing CA,
    /// under <c>issued/crl/&lt;caId&gt;.crl</c>.
    /// </summary>
    Task RevokeAsync(IReadOnlyCollection<string> instanceIds, string reason, CancellationToken cancellationToken);

    /// <summary>Re-signs every trusted CA's CRL whose nextUpdate is less than half a CRL lifetime away.</summary>
    Task RefreshCrlsAsync(CancellationToken cancellationToken);

    /// <summary>The published CRL of each of <paramref name="caIds"/> that has one, in the order given (one read per CA).</summary>
    Task<IReadOnlyList<PublishedCrl>> GetCrlsAsync(IReadOnlyList<string> caIds, CancellationToken cancellationToken);
}
