namespace IpsecMesh.Pki;

public interface IMeshCertificateAuthority
{
    /// <summary>
    /// Enrolment mode (a): verifies the CSR's self-signature, takes only its public key (every name in it is ignored),
    /// issues a certificate with the names of <paramref name="identity"/> and records it in the registry.
    /// </summary>
    /// <exception cref="CsrRejectedException">The CSR is malformed, its signature does not verify, or its key is too weak.</exception>
    Task<IssuedCertificate> SignCsrAsync(byte[] csrDer, HostIdentity identity, string reason, CancellationToken cancellationToken);

    /// <summary>
    /// Enrolment mode (b): generates the host key, issues and records the certificate, packs both as PKCS#12 whose
    /// password is KMS-encrypted with the context of <see cref="HostSecretContext"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The identity's instance ARN does not name its instance (nothing is issued).</exception>
    Task<IssuedKeyPackage> IssueWithKeyAsync(HostIdentity identity, string reason, CancellationToken cancellationToken);

    Task<TrustBundle> GetTrustBundleAsync(CancellationToken cancellationToken);

    Task<string> GetCurrentCaIdAsync(CancellationToken cancellationToken);
}
