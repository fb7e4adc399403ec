using IpsecMesh.Pki.Storage;
using Microsoft.Extensions.Logging;

namespace IpsecMesh.Pki.Registry;

/// <summary>Writes and lists the revocation records under <c>issued/revoked/&lt;caId&gt;/</c>, and turns legacy markers into records.</summary>
internal sealed class RevocationRecords(IObjectStore store, ILogger logger)
{
    /// <summary>Writes the record of <paramref name="certificate"/> unless one exists (the first revocation time and reason stay).</summary>
    /// <returns>True when this call wrote it: the certificate was not revoked before.</returns>
    public Task<bool> WriteAsync(IssuedCertificate certificate, RevocationRecordBody body, CancellationToken cancellationToken) =>
        store.PutIfAbsentAsync(RegistryLayout.RevocationRecordKey(certificate), body.ToJson(), cancellationToken);

    /// <summary>Every record of one CA, expired or not, from one paginated listing (no object is read).</summary>
    public async Task<IReadOnlyList<Listed>> ListAsync(string caId, CancellationToken cancellationToken)
    {
        var records = new List<Listed>();
        await foreach (var listing in store.ListAsync(RegistryLayout.RevokedPrefixOf(caId), cancellationToken))
        {
            if (RegistryLayout.ParseRevocationRecord(listing.Key) is { } record && record.CaId == caId)
            {
                records.Add(new Listed(record, listing));
            }
            else
            {
                PkiLog.RegistryObjectIgnored(logger, listing.Key, "not a revocation record");
            }
        }

        return records;
    }

    /// <summary>The record's body; null when it is missing or unreadable (the caller falls back to the listing's time).</summary>
    public async Task<RevocationRecordBody?> ReadBodyAsync(Listed record, CancellationToken cancellationToken)
    {
        if (record.Listing.Size > RevocationRecordBody.MaxBytes)
        {
            return null;
        }

        var stored = await store.GetAsync(record.Listing.Key, cancellationToken);
        return stored is null ? null : RevocationRecordBody.TryParse(stored.Content);
    }

    /// <summary>
    /// Writes a record for every legacy marker (<c>issued/&lt;instanceId&gt;/&lt;serial&gt;.revoked</c>) among <paramref name="instanceListing"/>
    /// (the listing of one or more instance folders) whose certificate is listed too; the marker's time becomes the
    /// revocation time. A record that exists already is left as it is.
    /// </summary>
    /// <returns>The certificates whose record this call wrote.</returns>
    public async Task<IReadOnlyList<IssuedCertificate>> MigrateLegacyMarkersAsync(IReadOnlyCollection<ObjectListing> instanceListing, CancellationToken cancellationToken)
    {
        var certificates = new Dictionary<(string InstanceId, string Serial), IssuedCertificate>();
        var markers = new List<(RegistryEntry Marker, DateTimeOffset At)>();
        foreach (var listing in instanceListing)
        {
            switch (RegistryLayout.Parse(listing.Key))
            {
                case { Certificate: { } certificate }:
                    certificates[(certificate.InstanceId, certificate.SerialHex)] = certificate;
                    break;
                case { } marker:
                    markers.Add((marker, listing.LastModified));
                    break;
                default:
                    break;
            }
        }

        var written = new List<IssuedCertificate>();
        foreach (var (marker, at) in markers)
        {
            if (!certificates.TryGetValue((marker.InstanceId, marker.SerialHex), out var certificate))
            {
                PkiLog.RegistryObjectIgnored(logger, RegistryLayout.LegacyRevocationKey(marker.InstanceId, marker.SerialHex),
                    "a revocation marker without its certificate: its CA and expiry are unknown (a verified CRL that lists the serial keeps it)");
                continue;
            }

            if (await WriteAsync(certificate, new RevocationRecordBody(at, RevocationReason.CessationOfOperation, "revocation marker of an earlier version"), cancellationToken))
            {
                written.Add(certificate);
            }
        }

        if (written.Count > 0)
        {
            PkiLog.LegacyMarkersMigrated(logger, written.Count);
        }

        return written;
    }

    /// <summary>Lists the folders of <paramref name="instanceIds"/> and migrates their legacy markers (one listing per instance).</summary>
    public async Task<IReadOnlyList<IssuedCertificate>> MigrateLegacyMarkersOfAsync(IEnumerable<string> instanceIds, CancellationToken cancellationToken)
    {
        var written = new List<IssuedCertificate>();
        foreach (var instanceId in instanceIds.Distinct(StringComparer.Ordinal))
        {
            var listing = new List<ObjectListing>();
            await foreach (var item in store.ListAsync(RegistryLayout.InstancePrefix(instanceId), cancellationToken))
            {
                listing.Add(item);
            }

            written.AddRange(await MigrateLegacyMarkersAsync(listing, cancellationToken));
        }

        return written;
    }

    /// <summary>A record as the listing shows it.</summary>
    public sealed record Listed(RevocationRecord Record, ObjectListing Listing);
}
