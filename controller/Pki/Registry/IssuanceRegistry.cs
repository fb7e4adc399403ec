using System.Globalization;
using System.Text;
using IpsecMesh.Pki.Authority;
using IpsecMesh.Pki.Certificates;
using IpsecMesh.Pki.Storage;
using Microsoft.Extensions.Logging;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.X509;

namespace IpsecMesh.Pki.Registry;

/// <summary><see cref="IIssuanceRegistry"/> over the object store's <c>issued/</c> prefix.</summary>
public sealed class IssuanceRegistry(IObjectStore store, CaKeyring keyring, PkiOptions options, TimeProvider timeProvider, ILogger<IssuanceRegistry> logger)
    : IIssuanceRegistry
{
    private const int MaxCrlWriteAttempts = 5;

    public async Task<IReadOnlyDictionary<string, IssuedCertificate>> LoadCurrentAsync(CancellationToken cancellationToken)
    {
        var newest = new Dictionary<string, IssuedCertificate>(StringComparer.Ordinal);
        var revoked = new HashSet<(string InstanceId, string Serial)>();
        await foreach (var listing in store.ListAsync(RegistryLayout.Prefix, cancellationToken))
        {
            if (listing.Key.StartsWith(RegistryLayout.CrlPrefix, StringComparison.Ordinal))
            {
                continue;
            }

            var entry = RegistryLayout.Parse(listing.Key);
            if (entry is null)
            {
                PkiLog.RegistryObjectIgnored(logger, listing.Key, "not a registry key");
            }
            else if (entry.Certificate is null)
            {
                revoked.Add((entry.InstanceId, entry.SerialHex));
            }
            else if (!newest.TryGetValue(entry.InstanceId, out var known) || IsNewer(entry.Certificate, known))
            {
                newest[entry.InstanceId] = entry.Certificate;
            }
        }

        return newest.Where(pair => !revoked.Contains((pair.Key, pair.Value.SerialHex)))
            .ToDictionary(pair => pair.Key, pair => pair.Value, StringComparer.Ordinal);
    }

    public async Task<string> GetCertificatePemAsync(IssuedCertificate certificate, CancellationToken cancellationToken)
    {
        if (certificate.CertificatePem.Length > 0)
        {
            return certificate.CertificatePem;
        }

        var stored = await store.GetAsync(RegistryLayout.CertificateKey(certificate), cancellationToken)
            ?? throw new KeyNotFoundException($"certificate {certificate.SerialHex} of {certificate.InstanceId} is not in the registry");
        return Encoding.ASCII.GetString(stored.Content);
    }

    public Task RecordAsync(IssuedCertificate certificate, CancellationToken cancellationToken) =>
        store.PutAsync(RegistryLayout.CertificateKey(certificate), Encoding.ASCII.GetBytes(certificate.CertificatePem), cancellationToken);

    public async Task RevokeAsync(IReadOnlyCollection<string> instanceIds, string reason, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        var snapshot = await keyring.GetSnapshotAsync(cancellationToken);
        var trusted = snapshot.Trusted.ToDictionary(ca => ca.CaId, StringComparer.Ordinal);
        var newlyRevoked = new Dictionary<string, List<RevokedSerial>>(StringComparer.Ordinal);
        var markers = new List<string>();
        foreach (var instanceId in instanceIds.Distinct(StringComparer.Ordinal))
        {
            foreach (var certificate in await ListUnrevokedAsync(instanceId, now, cancellationToken))
            {
                if (!trusted.ContainsKey(certificate.CaId))
                {
                    PkiLog.RevocationSkippedForRetiredCa(logger, instanceId, certificate.CaId);
                    continue;
                }

                newlyRevoked.TryAdd(certificate.CaId, []);
                newlyRevoked[certificate.CaId].Add(new RevokedSerial(new BigInteger(certificate.SerialHex, 16), now));
                markers.Add(RegistryLayout.RevocationKey(instanceId, certificate.SerialHex));
            }
        }

        // CRLs first, markers after: a crash in between leaves certificates revoked and a retry that finds them again.
        foreach (var (caId, serials) in newlyRevoked)
        {
            await PublishCrlAsync(trusted[caId], serials, force: true, cancellationToken);
        }

        var marker = Encoding.UTF8.GetBytes($"{{\"revokedAt\":\"{now.UtcDateTime.ToString("o", CultureInfo.InvariantCulture)}\"}}");
        foreach (var key in markers)
        {
            await store.PutAsync(key, marker, cancellationToken);
        }

        PkiLog.CertificatesRevoked(logger, markers.Count, instanceIds.Count, reason);
    }

    public async Task RefreshCrlsAsync(CancellationToken cancellationToken)
    {
        var snapshot = await keyring.GetSnapshotAsync(cancellationToken);
        foreach (var ca in snapshot.Trusted)
        {
            await PublishCrlAsync(ca, [], force: false, cancellationToken);
        }
    }

    public async Task<IReadOnlyList<PublishedCrl>> GetCrlsAsync(IReadOnlyList<string> caIds, CancellationToken cancellationToken)
    {
        var crls = new List<PublishedCrl>(caIds.Count);
        foreach (var caId in caIds)
        {
            if (await store.GetAsync(RegistryLayout.CrlKey(caId), cancellationToken) is { } stored)
                crls.Add(new PublishedCrl(caId, stored.Content));
        }
        return crls;
    }

    private static bool IsNewer(IssuedCertificate candidate, IssuedCertificate known) =>
        candidate.NotAfter != known.NotAfter ? candidate.NotAfter > known.NotAfter : candidate.NotBefore > known.NotBefore;

    private async Task<List<IssuedCertificate>> ListUnrevokedAsync(string instanceId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var certificates = new List<IssuedCertificate>();
        var revoked = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var listing in store.ListAsync(RegistryLayout.InstancePrefix(instanceId), cancellationToken))
        {
            switch (RegistryLayout.Parse(listing.Key))
            {
                case { Certificate: null } marker:
                    revoked.Add(marker.SerialHex);
                    break;
                case { Certificate: { } certificate } when certificate.NotAfter > now:
                    certificates.Add(certificate);
                    break;
                default:
                    break;
            }
        }

        return [.. certificates.Where(certificate => !revoked.Contains(certificate.SerialHex))];
    }

    private async Task PublishCrlAsync(LoadedCa ca, IReadOnlyList<RevokedSerial> additions, bool force, CancellationToken cancellationToken)
    {
        var key = RegistryLayout.CrlKey(ca.CaId);
        for (var attempt = 1; ; attempt++)
        {
            var now = timeProvider.GetUtcNow();
            var existing = await store.GetAsync(key, cancellationToken);
            var previous = existing is null ? null : new X509CrlParser().ReadCrl(existing.Content);
            if (!force && previous?.NextUpdate is { } nextUpdate && new DateTimeOffset(nextUpdate, TimeSpan.Zero) - now > options.CrlLifetime / 2)
            {
                return;
            }

            var entries = new Dictionary<BigInteger, RevokedSerial>();
            foreach (var entry in previous?.GetRevokedCertificates() ?? new HashSet<X509CrlEntry>())
            {
                entries[entry.SerialNumber] = new RevokedSerial(entry.SerialNumber, new DateTimeOffset(entry.RevocationDate, TimeSpan.Zero));
            }

            foreach (var addition in additions)
            {
                entries.TryAdd(addition.Serial, addition);
            }

            var number = previous is null ? BigInteger.One : CrlNumberOf(previous).Add(BigInteger.One);
            var signingKey = await keyring.GetSigningKeyAsync(ca, cancellationToken);
            var nextUpdateAt = now + options.CrlLifetime;
            var crl = await SignedStructures.SignCrlAsync(
                CrlTemplate.Build(ca.Certificate, signingKey.SignatureAlgorithm, number, now, nextUpdateAt, entries.Values), signingKey, cancellationToken);
            var written = existing is null
                ? await store.PutIfAbsentAsync(key, crl.GetEncoded(), cancellationToken)
                : await store.PutIfMatchAsync(key, crl.GetEncoded(), existing.ETag, cancellationToken);
            if (written)
            {
                PkiLog.CrlPublished(logger, ca.CaId, number, entries.Count, nextUpdateAt);
                return;
            }

            if (attempt == MaxCrlWriteAttempts)
            {
                throw new CaStoreException($"could not publish the CRL of CA {ca.CaId}: {MaxCrlWriteAttempts} concurrent updates won the race");
            }
        }
    }

    private static BigInteger CrlNumberOf(X509Crl crl)
    {
        var value = crl.GetExtensionValue(Org.BouncyCastle.Asn1.X509.X509Extensions.CrlNumber);
        return value is null
            ? BigInteger.Zero
            : Org.BouncyCastle.Asn1.DerInteger.GetInstance(value.GetOctets()).PositiveValue;
    }
}
