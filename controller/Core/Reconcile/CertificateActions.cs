using System.Diagnostics;
using IpsecMesh.Core.Model;
using IpsecMesh.Core.State;
using IpsecMesh.Core.Telemetry;
using IpsecMesh.Pki;
using IpsecMesh.Pki.Certificates;

namespace IpsecMesh.Core.Reconcile;

/// <summary>
/// Issues a host certificate (from the host's CSR, or with a key the controller makes) and sends its install; resumes
/// the install of a certificate issued before a crash. Each issue also revokes the certificates the new one supersedes
/// (coalesced into one CRL). PKI and AWS errors propagate (the reconcile is retried).
/// </summary>
public sealed class CertificateActions(
    IMeshCertificateAuthority authority,
    IIssuanceRegistry registry,
    CertificateCache certificates,
    RevocationQueue revocations,
    CommandSender sender,
    IpsecMeshTelemetry telemetry)
{
    /// <summary>
    /// Signs the host's CSR (base64 DER) and sends the certificate. Returns null when sent, or the status sentence that
    /// says why the CSR was rejected (not base64, too long, a key or names the mesh does not accept); then nothing is sent.
    /// </summary>
    public async Task<string?> SignAndInstallAsync(Observation observation, InstanceRecord record, Decision.SignAndInstall sign, CancellationToken cancellationToken)
    {
        IssuedCertificate issued;
        try
        {
            // A host's CSR is bounded before it is decoded (and the inspector bounds it again before any key math).
            CsrInspector.RequireBase64Length(sign.CsrBase64, observation.InstanceId);
            var csr = Convert.FromBase64String(sign.CsrBase64);
            issued = await authority.SignCsrAsync(csr, ObservationBuilder.IdentityOf(observation.Instance!), sign.Reason, cancellationToken);
        }
        catch (Exception e) when (e is FormatException or CsrRejectedException)
        {
            // A bad CSR is the host's problem, reported on its tag; the next attempt asks for a new one.
            return StatusText.Clean($"certificate request rejected: {(e is CsrRejectedException rejected ? rejected.Message : "the CSR is not valid base64")}");
        }
        Issued(issued, sign.Reason);
        await revocations.RevokeSupersededAsync(issued, cancellationToken);
        await sender.SendCertificateAsync(observation, record, issued.CertificatePem, sign.AppliedConfigHash, fromCsr: true, renewalCsr: sign.Reason == "renew" && !record.CsrSentInTodo, cancellationToken);
        return null;
    }

    /// <summary>Issues a key and certificate as a PKCS#12 for this host (<c>ControllerKey</c> enrolment) and sends it.</summary>
    public async Task IssueKeyAndInstallAsync(Observation observation, InstanceRecord record, Decision.IssueKeyAndInstall issue, CancellationToken cancellationToken)
    {
        var package = await authority.IssueWithKeyAsync(ObservationBuilder.IdentityOf(observation.Instance!), issue.Reason, cancellationToken);
        Issued(package.Certificate, issue.Reason);
        await revocations.RevokeSupersededAsync(package.Certificate, cancellationToken);
        await sender.SendPackageAsync(observation, record, package, issue.AppliedConfigHash, cancellationToken);
    }

    /// <summary>Sends the registry's newest certificate of the instance (signed before a crash: never signed twice).</summary>
    public async Task InstallIssuedAsync(Observation observation, InstanceRecord record, CancellationToken cancellationToken)
    {
        var certificate = certificates.Get(observation.InstanceId) ?? throw new InvalidOperationException("no issued certificate to install");
        var pem = string.IsNullOrEmpty(certificate.CertificatePem) ? await registry.GetCertificatePemAsync(certificate, cancellationToken) : certificate.CertificatePem;
        // Also here: a crash between issuing and revoking what the new certificate superseded resumes through this step.
        await revocations.RevokeSupersededAsync(certificate, cancellationToken);
        await sender.SendCertificateAsync(observation, record, pem, null, fromCsr: false, renewalCsr: false, cancellationToken);
    }

    private void Issued(IssuedCertificate certificate, string reason)
    {
        certificates.Issued(certificate);
        // The PKI logs the issuance itself (serial, names, CA); here it is counted.
        telemetry.CertificatesIssued.Add(1, new TagList { { "reason", reason } });
    }
}
