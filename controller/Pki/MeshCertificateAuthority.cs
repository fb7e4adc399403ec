using System.Security.Cryptography;
using System.Text;
using IpsecMesh.Pki.Authority;
using IpsecMesh.Pki.Certificates;
using IpsecMesh.Pki.Keys;
using IpsecMesh.Pki.Kms;
using Microsoft.Extensions.Logging;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Security;

namespace IpsecMesh.Pki;

/// <summary>Issues host certificates from the current mesh CA and records each in the registry.</summary>
public sealed class MeshCertificateAuthority(
    CaKeyring keyring,
    IIssuanceRegistry registry,
    IKeyService keyService,
    IHostKeyGenerator hostKeyGenerator,
    PkiOptions options,
    TimeProvider timeProvider,
    ILogger<MeshCertificateAuthority> logger) : IMeshCertificateAuthority
{
    /// <summary>Bytes of KMS randomness behind a PKCS#12 password (shipped as 64 hex characters).</summary>
    public const int PasswordEntropyBytes = 32;

    public async Task<IssuedCertificate> SignCsrAsync(byte[] csrDer, HostIdentity identity, string reason, CancellationToken cancellationToken)
    {
        SubjectPublicKeyInfo publicKey;
        try
        {
            publicKey = CsrInspector.VerifiedPublicKey(csrDer, identity.InstanceId);
        }
        catch (CsrRejectedException error)
        {
            PkiLog.CsrRejected(logger, identity.InstanceId, error.Message);
            throw;
        }

        var (issued, _) = await IssueAsync(identity, publicKey, reason, cancellationToken);
        return issued;
    }

    public async Task<IssuedKeyPackage> IssueWithKeyAsync(HostIdentity identity, string reason, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(options.HostKmsKeyId))
        {
            throw new InvalidOperationException("HostKmsKeyId is not set: enrolment mode ControllerKey needs it to protect PKCS#12 passwords");
        }

        // Checked before anything is issued: a package whose password the host cannot decrypt is worthless.
        var passwordContext = HostSecretContext.Of(identity);

        var hostKey = hostKeyGenerator.Generate(options.ControllerKeyAlgorithm);
        var (issued, certificateDer) = await IssueAsync(identity, hostKey.PublicKey, reason, cancellationToken);
        var certificate = new Org.BouncyCastle.X509.X509Certificate(certificateDer);

        var entropy = await keyService.GenerateRandomAsync(PasswordEntropyBytes, cancellationToken);
        var password = Convert.ToHexStringLower(entropy).ToCharArray();
        var passwordBytes = Encoding.ASCII.GetBytes(password);
        try
        {
            var pkcs12 = Pkcs12Packager.Pack(hostKey, certificate, password, new SecureRandom());
            var encryptedPassword = await keyService.EncryptAsync(options.HostKmsKeyId, passwordBytes, passwordContext, cancellationToken);
            return new IssuedKeyPackage(issued, pkcs12, encryptedPassword);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(entropy);
            CryptographicOperations.ZeroMemory(passwordBytes);
            Array.Clear(password);
        }
    }

    public async Task<TrustBundle> GetTrustBundleAsync(CancellationToken cancellationToken)
    {
        var snapshot = await keyring.GetSnapshotAsync(cancellationToken);
        var pem = string.Concat(snapshot.Trusted.Select(ca => ca.Pem.TrimEnd() + "\n"));
        var bundleId = Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(pem)))[..12];
        return new TrustBundle(bundleId, pem, [.. snapshot.Trusted.Select(ca => ca.CaId)]);
    }

    public async Task<string> GetCurrentCaIdAsync(CancellationToken cancellationToken) =>
        (await keyring.GetSnapshotAsync(cancellationToken)).Current.CaId;

    /// <returns>The registry's record and the certificate's DER.</returns>
    private async Task<(IssuedCertificate Issued, byte[] CertificateDer)> IssueAsync(
        HostIdentity identity, SubjectPublicKeyInfo publicKey, string reason, CancellationToken cancellationToken)
    {
        var ca = (await keyring.GetSnapshotAsync(cancellationToken)).Current;
        var signingKey = await keyring.GetSigningKeyAsync(ca, cancellationToken);
        var now = TruncateToSeconds(timeProvider.GetUtcNow());
        var notBefore = now - options.ClockSkewBackdate;
        var caNotAfter = new DateTimeOffset(ca.Certificate.NotAfter, TimeSpan.Zero);
        var notAfter = now + options.CertificateLifetime;
        notAfter = notAfter < caNotAfter ? notAfter : caNotAfter;
        var serial = SerialNumbers.Next();

        var tbs = HostCertificateTemplate.Build(identity, publicKey, ca.Certificate, signingKey.SignatureAlgorithm, serial, notBefore, notAfter);
        var certificateDer = await SignedStructures.SignCertificateDerAsync(tbs, signingKey, cancellationToken);
        var issued = new IssuedCertificate(
            identity.InstanceId, SerialNumbers.ToHex(serial), notBefore, notAfter, identity.NamesHash, ca.CaId, Pem.OfCertificate(certificateDer));
        await registry.RecordAsync(issued, cancellationToken);
        PkiLog.CertificateIssued(logger, identity.InstanceId, issued.SerialHex, reason, ca.CaId, notAfter, issued.NamesHash);
        return (issued, certificateDer);
    }

    private static DateTimeOffset TruncateToSeconds(DateTimeOffset time) =>
        new(time.UtcTicks - (time.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
}
