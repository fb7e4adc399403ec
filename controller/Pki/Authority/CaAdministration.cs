using System.Security.Cryptography;
using IpsecMesh.Pki.Certificates;
using IpsecMesh.Pki.Kms;
using IpsecMesh.Pki.Signing;
using IpsecMesh.Pki.Storage;
using Microsoft.Extensions.Logging;
using Org.BouncyCastle.Asn1.X509;

namespace IpsecMesh.Pki.Authority;

/// <summary>The CA lifecycle behind <c>ipsec-mesh ca init|import|rotate|show</c>.</summary>
public sealed class CaAdministration(
    IObjectStore store,
    IKeyService keyService,
    CaKeyring keyring,
    PkiOptions options,
    TimeProvider timeProvider,
    ILogger<CaAdministration> logger)
{
    private readonly CaRepository _repository = new(store);

    /// <summary>Creates the first mesh CA; fails when one exists.</summary>
    /// <param name="withBackup">Also return the CA key as encrypted PKCS#8 with a one-time password (envelope mode only).</param>
    public async Task<CaInitResult> InitAsync(bool withBackup, CancellationToken cancellationToken)
    {
        using var created = await CreateAsync(options.CaKmsKeyId, withBackup, [], cancellationToken);
        if (!await _repository.CreateStateAsync(new CaStateDocument(created.CaId, []), cancellationToken))
        {
            await _repository.DeleteAsync(created.CaId, cancellationToken);
            throw new CaStoreException($"a mesh CA already exists ({CaLayout.StateKey}); use `ipsec-mesh ca rotate` to replace it");
        }

        keyring.Invalidate();
        PkiLog.CaCreated(logger, created.CaId, created.Certificate.SubjectDN, created.Algorithm, created.Document.Mode, created.NotAfter);
        return new CaInitResult(Describe(created.Loaded, CaRole.Current, null), created.Backup);
    }

    /// <summary>Adopts an existing CA certificate and its private key (PEM) as the first mesh CA, stored envelope-encrypted.</summary>
    /// <exception cref="ArgumentException">The certificate is not a CA, the key is not its key, or its subject is that of a CA hosts still trust.</exception>
    /// <exception cref="CaStoreException">A mesh CA exists already (import is for bootstrapping).</exception>
    public async Task<CaDescription> ImportAsync(string certificatePem, string privateKeyPem, CancellationToken cancellationToken)
    {
        var certificate = ParseCaCertificate(certificatePem);
        using var key = ImportPrivateKey(privateKeyPem, certificate);
        var caId = CaIds.Of(certificate);
        RequireDistinctSubject(certificate.SubjectDN, $"the imported CA {caId}", await TrustedCasAsync(cancellationToken));
        var pem = Pem.Of(certificate);
        var document = await CaKeyEnvelope.SealAsync(keyService, options.CaKmsKeyId, caId, key, cancellationToken);
        await _repository.StoreAsync(caId, pem, document, cancellationToken);
        if (!await _repository.CreateStateAsync(new CaStateDocument(caId, []), cancellationToken))
        {
            await _repository.DeleteAsync(caId, cancellationToken);
            throw new CaStoreException($"a mesh CA already exists ({CaLayout.StateKey}); import is for bootstrapping only");
        }

        keyring.Invalidate();
        var notAfter = new DateTimeOffset(certificate.NotAfter, TimeSpan.Zero);
        PkiLog.CaImported(logger, caId, certificate.SubjectDN, notAfter);
        return Describe(new LoadedCa(caId, certificate, pem, document), CaRole.Current, null);
    }

    /// <summary>
    /// Makes a new current CA; the old one stays in the trust bundle for <see cref="PkiOptions.RotationOverlap"/>.
    /// In KMS-signer mode the new CA needs a new KMS key, <paramref name="newKmsKeyId"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The new CA's subject would equal that of a CA hosts still trust (the same key), or a KMS-signer CA got no new key.</exception>
    /// <exception cref="CaStoreException">There is no CA, or the state changed during the rotation.</exception>
    public async Task<CaDescription> RotateAsync(string? newKmsKeyId, CancellationToken cancellationToken)
    {
        var (state, etag) = await _repository.GetStateAsync(cancellationToken)
            ?? throw new CaStoreException("there is no mesh CA to rotate; run `ipsec-mesh ca init` first");
        var kmsKeyId = newKmsKeyId ?? options.CaKmsKeyId;
        if (options.CaKeyMode == CaKeyMode.KmsSigner)
        {
            var current = await keyring.LoadCertificateAsync(state.Current, cancellationToken);
            if (string.IsNullOrWhiteSpace(newKmsKeyId) || newKmsKeyId == current.KeyDocument.KmsKeyId)
            {
                throw new ArgumentException("rotating a KMS-signer CA needs a new asymmetric KMS key id", nameof(newKmsKeyId));
            }
        }

        using var created = await CreateAsync(kmsKeyId, withBackup: false, await TrustedCasAsync(cancellationToken), cancellationToken);
        var now = timeProvider.GetUtcNow();
        var retireAt = now + options.RotationOverlap;
        var previous = new[] { new RetiringCa(state.Current, retireAt) { HoldUntilRevoked = true } }
            .Concat(state.Previous.Where(ca => ca.TrustedAt(now)))
            .ToList();
        if (!await _repository.ReplaceStateAsync(new CaStateDocument(created.CaId, previous), etag, cancellationToken))
        {
            await _repository.DeleteAsync(created.CaId, cancellationToken);
            throw new CaStoreException("the CA state changed during the rotation (another rotation?); nothing was changed, try again");
        }

        keyring.Invalidate();
        PkiLog.CaRotated(logger, state.Current, created.CaId, retireAt);
        return Describe(created.Loaded, CaRole.Current, null);
    }

    /// <summary>Whether the account holds a mesh CA (<c>ca/state.json</c>): what `ca init --if-missing` asks first.</summary>
    public async Task<bool> ExistsAsync(CancellationToken cancellationToken) => await _repository.GetStateAsync(cancellationToken) is not null;

    /// <summary>Every CA in <c>ca/state.json</c>: the current one first, then previous and retired ones.</summary>
    public async Task<IReadOnlyList<CaDescription>> ShowAsync(CancellationToken cancellationToken)
    {
        var (state, _) = await _repository.GetStateAsync(cancellationToken)
            ?? throw new CaStoreException("there is no mesh CA; run `ipsec-mesh ca init` or `ipsec-mesh ca import`");
        var now = timeProvider.GetUtcNow();
        var descriptions = new List<CaDescription>
        {
            Describe(await keyring.LoadCertificateAsync(state.Current, cancellationToken), CaRole.Current, null),
        };
        foreach (var previous in state.Previous)
        {
            var role = previous.TrustedAt(now) ? CaRole.Previous : CaRole.Retired;
            descriptions.Add(Describe(await keyring.LoadCertificateAsync(previous.CaId, cancellationToken), role, previous.RetireAt));
        }

        return descriptions;
    }

    public static string Sha256Fingerprint(Org.BouncyCastle.X509.X509Certificate certificate) =>
        string.Join(':', SHA256.HashData(certificate.GetEncoded()).Select(octet => octet.ToString("X2")));

    private static CaDescription Describe(LoadedCa ca, CaRole role, DateTimeOffset? retireAt) => new(
        ca.CaId,
        role,
        ca.Certificate.SubjectDN.ToString(),
        new DateTimeOffset(ca.Certificate.NotBefore, TimeSpan.Zero),
        new DateTimeOffset(ca.Certificate.NotAfter, TimeSpan.Zero),
        Sha256Fingerprint(ca.Certificate),
        ca.KeyDocument.Mode,
        CaSignatureAlgorithms.FromPublicKey(ca.Certificate.CertificateStructure.SubjectPublicKeyInfo),
        retireAt,
        ca.Pem);

    /// <summary>The CAs hosts trust now (none before the first CA exists).</summary>
    private async Task<IReadOnlyList<LoadedCa>> TrustedCasAsync(CancellationToken cancellationToken)
    {
        var read = await _repository.GetStateAsync(cancellationToken);
        if (read is null)
        {
            return [];
        }

        var trusted = new List<LoadedCa>();
        foreach (var caId in read.Value.State.TrustedAt(timeProvider.GetUtcNow()))
        {
            trusted.Add(await keyring.LoadCertificateAsync(caId, cancellationToken));
        }

        return trusted;
    }

    /// <summary>
    /// Refuses a new CA named like a CA hosts still trust: NSS keeps one CRL per issuer name, so one CA's CRL would
    /// replace the other's on every host, and libreswan could not tell their certificates' issuers apart.
    /// </summary>
    /// <param name="newCa">How the error names the new CA, e.g. "the imported CA 0123456789abcdef".</param>
    private static void RequireDistinctSubject(X509Name subject, string newCa, IReadOnlyList<LoadedCa> trusted)
    {
        if (trusted.FirstOrDefault(ca => ca.Certificate.SubjectDN.Equivalent(subject)) is { } twin)
        {
            throw new ArgumentException(
                $"{newCa} would have the subject '{subject}', the subject of CA {twin.CaId} ('{twin.Certificate.SubjectDN}'), which hosts still trust; " +
                "NSS keeps one CRL per CA name, so their CRLs would replace each other on the hosts. Use a CA with another subject (for rotate: another key)",
                nameof(subject));
        }
    }

    private async Task<CreatedCa> CreateAsync(string kmsKeyId, bool withBackup, IReadOnlyList<LoadedCa> trusted, CancellationToken cancellationToken)
    {
        if (withBackup && options.CaKeyMode == CaKeyMode.KmsSigner)
        {
            throw new ArgumentException("a KMS-signer CA key never leaves KMS, so it has no offline backup", nameof(withBackup));
        }

        ICaSigningKey key = options.CaKeyMode == CaKeyMode.KmsSigner
            ? await KmsCaSigningKey.OpenAsync(keyService, kmsKeyId, cancellationToken)
            : DotNetCaSigningKey.Generate(options.CaAlgorithm);
        try
        {
            var now = timeProvider.GetUtcNow();
            var notAfter = now + options.CaLifetime;
            var subject = CaSubjects.For(options.CaCommonName, key.PublicKey);
            RequireDistinctSubject(subject, "the new CA", trusted);
            var tbs = CaCertificateTemplate.Build(
                subject,
                key.PublicKey,
                key.SignatureAlgorithm,
                SerialNumbers.Next(),
                now - options.ClockSkewBackdate,
                notAfter,
                CaCertificateTemplate.ParseNetworks(options.NameConstraints));
            var certificate = await SignedStructures.SignCertificateAsync(tbs, key, cancellationToken);
            var caId = CaIds.Of(certificate);
            var pem = Pem.Of(certificate);
            var document = key is DotNetCaSigningKey local
                ? await CaKeyEnvelope.SealAsync(keyService, kmsKeyId, caId, local, cancellationToken)
                : new CaKeyDocument(CaKeyDocument.CurrentFormat, CaKeyMode.KmsSigner, kmsKeyId);
            var backup = withBackup && key is DotNetCaSigningKey backedUp ? MakeBackup(backedUp) : null;
            await _repository.StoreAsync(caId, pem, document, cancellationToken);
            return new CreatedCa(key, new LoadedCa(caId, certificate, pem, document), key.Algorithm, notAfter, backup);
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    private static CaBackup MakeBackup(DotNetCaSigningKey key)
    {
        var password = Convert.ToBase64String(RandomNumberGenerator.GetBytes(18)).Replace('+', '-').Replace('/', '_');
        return new CaBackup(key.ExportEncryptedPkcs8Pem(password), password);
    }

    private static Org.BouncyCastle.X509.X509Certificate ParseCaCertificate(string certificatePem)
    {
        var certificate = Pem.ParseCertificate(certificatePem);
        var constraints = certificate.GetExtensionValue(X509Extensions.BasicConstraints);
        if (constraints is null || !BasicConstraints.GetInstance(constraints.GetOctets()).IsCA())
        {
            throw new ArgumentException("the certificate to import is not a CA certificate (basicConstraints CA:TRUE is missing)", nameof(certificatePem));
        }

        var usage = certificate.GetKeyUsage();
        if (usage is not null && !usage[5])
        {
            throw new ArgumentException("the certificate to import may not sign certificates (keyUsage lacks keyCertSign)", nameof(certificatePem));
        }

        return certificate;
    }

    private static DotNetCaSigningKey ImportPrivateKey(string privateKeyPem, Org.BouncyCastle.X509.X509Certificate certificate)
    {
        var algorithm = CaSignatureAlgorithms.FromPublicKey(certificate.CertificateStructure.SubjectPublicKeyInfo);
        AsymmetricAlgorithm key = algorithm == CaAlgorithm.EcdsaP384 ? ECDsa.Create() : RSA.Create();
        try
        {
            key.ImportFromPem(privateKeyPem);
        }
        catch (Exception error) when (error is ArgumentException or CryptographicException)
        {
            key.Dispose();
            // The exception text of a failed key import is not forwarded: it could quote the input.
            throw new ArgumentException("the private key is not an unencrypted PEM key of the certificate's type", nameof(privateKeyPem));
        }

        var imported = new DotNetCaSigningKey(key);
        if (!imported.PublicKey.Equals(certificate.CertificateStructure.SubjectPublicKeyInfo))
        {
            imported.Dispose();
            throw new ArgumentException("the private key does not belong to the certificate", nameof(privateKeyPem));
        }

        return imported;
    }

    private sealed record CreatedCa(ICaSigningKey Key, LoadedCa Loaded, CaAlgorithm Algorithm, DateTimeOffset NotAfter, CaBackup? Backup) : IDisposable
    {
        public string CaId => Loaded.CaId;

        public Org.BouncyCastle.X509.X509Certificate Certificate => Loaded.Certificate;

        public CaKeyDocument Document => Loaded.KeyDocument;

        public void Dispose() => Key.Dispose();
    }
}
