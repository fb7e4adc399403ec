using IpsecMesh.Pki.Authority;
using IpsecMesh.Pki.Certificates;
using IpsecMesh.Pki.Storage;
using Microsoft.Extensions.Logging;
using Org.BouncyCastle.Math;

namespace IpsecMesh.Pki.Registry;

/// <summary>
/// Publishes a CA's CRL at <c>issued/crl/&lt;caId&gt;.crl</c>, derived from that CA's revocation records, never inherited
/// from the stored CRL. A complete CRL lists the unexpired revoked certificates (RFC 5280 §5), and an entry may leave
/// once it has appeared on one CRL issued beyond the certificate's validity period (§3.3): so an entry stays while its
/// certificate is valid and on the first CRL after its notAfter, then goes, and a CRL is bounded by the live revoked
/// certificates. The stored CRL is believed only after it verified under the CA (and names it as issuer), and then only
/// for its CRL number, its thisUpdate (has an expired entry been published after the expiry yet?), and entries whose
/// record is gone, which are kept (and reported) so that deleting records never un-revokes. A stored CRL that does not
/// verify is reported and replaced.
/// </summary>
internal sealed class CrlPublisher(
    IObjectStore store,
    CaKeyring keyring,
    RevocationRecords records,
    PkiOptions options,
    PkiCounters counters,
    TimeProvider timeProvider,
    ILogger logger)
{
    private const int MaxWriteAttempts = 5;

    /// <summary>
    /// Publishes a new CRL of <paramref name="ca"/> when there is no verified one, when a record names a serial the
    /// verified one lacks, or when half of its lifetime is gone. Entries that only expired do not cause a publication
    /// (every publication moves the hosts' config hash); they leave with the next one.
    /// </summary>
    /// <returns>True when a CRL was written.</returns>
    /// <exception cref="CaStoreException">Other writers won the conditional write <see cref="MaxWriteAttempts"/> times.</exception>
    public async Task<bool> PublishIfNeededAsync(LoadedCa ca, CancellationToken cancellationToken)
    {
        var key = RegistryLayout.CrlKey(ca.CaId);
        for (var attempt = 1; ; attempt++)
        {
            var now = timeProvider.GetUtcNow();
            var stored = await store.GetAsync(key, cancellationToken);
            var previous = stored is null ? null : Believe(stored.Content, ca);
            var listed = await records.ListAsync(ca.CaId, cancellationToken);
            var live = listed.Where(record => record.Record.NotAfter > now).ToList();
            if (previous is not null && !Needed(previous, live, now))
            {
                return false;
            }

            var entries = await EntriesAsync(ca, previous, listed, now, cancellationToken);
            var number = CrlNumbers.Next(previous?.Number, now);
            var signingKey = await keyring.GetSigningKeyAsync(ca, cancellationToken);
            var nextUpdate = now + options.CrlLifetime;
            var crl = await SignedStructures.SignCrlAsync(
                CrlTemplate.Build(ca.Certificate, signingKey.SignatureAlgorithm, number, now, nextUpdate, entries), signingKey, cancellationToken);
            var written = stored is null
                ? await store.PutIfAbsentAsync(key, crl.GetEncoded(), cancellationToken)
                : await store.PutIfMatchAsync(key, crl.GetEncoded(), stored.ETag, cancellationToken);
            if (written)
            {
                PkiLog.CrlPublished(logger, ca.CaId, number, entries.Count, nextUpdate);
                return true;
            }

            if (attempt == MaxWriteAttempts)
            {
                throw new CaStoreException($"could not publish the CRL of CA {ca.CaId}: {MaxWriteAttempts} concurrent updates won the race");
            }
        }
    }

    /// <summary>The stored CRL if it is the CA's own; otherwise null, with a warning and a count.</summary>
    public VerifiedCrl? Believe(byte[] der, LoadedCa ca)
    {
        var verified = StoredCrlCheck.Verify(der, ca, out var problem);
        if (verified is null)
        {
            PkiLog.StoredCrlRejected(logger, RegistryLayout.CrlKey(ca.CaId), ca.CaId, problem);
            counters.StoredCrlRejected(problem);
        }

        return verified;
    }

    private bool Needed(VerifiedCrl previous, List<RevocationRecords.Listed> live, DateTimeOffset now) =>
        live.Any(record => !previous.Entries.ContainsKey(record.Record.Serial))
        || previous.NextUpdate is not { } nextUpdate
        || nextUpdate - now <= options.CrlLifetime / 2;

    /// <summary>
    /// Whether an expired certificate's entry is listed once more (RFC 5280 §3.3): when the verified CRL lists it but was
    /// issued before the certificate expired; without a verified CRL (deleted, forged), when it expired less than one CRL
    /// lifetime ago, so that it appears on a CRL issued after its expiry whatever hosts held before.
    /// </summary>
    private bool StillListed(RevocationRecord record, VerifiedCrl? previous, DateTimeOffset now) => previous is null
        ? now - record.NotAfter < options.CrlLifetime
        : previous.Entries.ContainsKey(record.Serial) && previous.ThisUpdate <= record.NotAfter;

    private async Task<List<RevokedSerial>> EntriesAsync(
        LoadedCa ca, VerifiedCrl? previous, IReadOnlyList<RevocationRecords.Listed> listed, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var entries = new Dictionary<BigInteger, RevokedSerial>();
        foreach (var record in listed.Where(record => record.Record.NotAfter > now || StillListed(record.Record, previous, now)))
        {
            var serial = record.Record.Serial;
            if (entries.ContainsKey(serial))
            {
                continue;
            }

            // A verified CRL already states this entry's time and reason: no need to read the record.
            if (previous?.Entries.TryGetValue(serial, out var known) == true)
            {
                entries[serial] = known;
                continue;
            }

            var body = await records.ReadBodyAsync(record, cancellationToken);
            entries[serial] = body is null
                ? new RevokedSerial(serial, record.Listing.LastModified, RevocationReason.CessationOfOperation)
                : new RevokedSerial(serial, body.RevokedAt, body.Reason);
        }

        // Never un-revoke: an entry of the verified CRL stays unless a record says its certificate expired.
        if (previous is not null)
        {
            var recorded = listed.Select(record => record.Record.Serial).ToHashSet();
            foreach (var (serial, entry) in previous.Entries.Where(pair => !recorded.Contains(pair.Key)))
            {
                entries[serial] = entry;
                PkiLog.RevocationRecordMissing(logger, SerialNumbers.ToHex(serial), ca.CaId, previous.Number);
                counters.CrlEntryKeptWithoutRecord();
            }
        }

        return [.. entries.Values];
    }
}
