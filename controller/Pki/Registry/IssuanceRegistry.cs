using System.Collections.Concurrent;
using System.Text;
using IpsecMesh.Pki.Authority;
using IpsecMesh.Pki.Certificates;
using IpsecMesh.Pki.Storage;
using Microsoft.Extensions.Logging;

namespace IpsecMesh.Pki.Registry;

/// <summary><see cref="IIssuanceRegistry"/> over the object store's <c>issued/</c> prefix (layout: <see cref="RegistryLayout"/>).</summary>
public sealed class IssuanceRegistry : IIssuanceRegistry, IDisposable
{
    private readonly IObjectStore _store;
    private readonly CaKeyring _keyring;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<IssuanceRegistry> _logger;
    private readonly RevocationRecords _records;
    private readonly CrlPublisher _publisher;
    /// <summary>Instance folders listed at once while a batch of revocations is recorded.</summary>
    private const int InstancesInParallel = 16;

    private readonly SemaphoreSlim _legacyScan = new(1, 1);
    /// <summary>Bodies of recent revocation records (written once, never changed), so each is read once per process.</summary>
    private readonly ConcurrentDictionary<string, RevocationRecordBody> _recentBodies = new(StringComparer.Ordinal);
    private volatile bool _legacyScanned;

    public IssuanceRegistry(IObjectStore store, CaKeyring keyring, PkiOptions options, PkiCounters counters, TimeProvider timeProvider, ILogger<IssuanceRegistry> logger)
    {
        _store = store;
        _keyring = keyring;
        _timeProvider = timeProvider;
        _logger = logger;
        _records = new RevocationRecords(store, logger);
        _publisher = new CrlPublisher(store, keyring, _records, options, counters, timeProvider, logger);
    }

    public async Task<IReadOnlyDictionary<string, IssuedCertificate>> LoadCurrentAsync(CancellationToken cancellationToken)
    {
        var scan = await ScanAsync(cancellationToken);
        return scan.Newest.Where(pair => !scan.Revoked.Contains((pair.Key, pair.Value.SerialHex)))
            .ToDictionary(pair => pair.Key, pair => pair.Value, StringComparer.Ordinal);
    }

    public async Task<string> GetCertificatePemAsync(IssuedCertificate certificate, CancellationToken cancellationToken)
    {
        if (certificate.CertificatePem.Length > 0)
        {
            return certificate.CertificatePem;
        }

        var stored = await _store.GetAsync(RegistryLayout.CertificateKey(certificate), cancellationToken)
            ?? throw new KeyNotFoundException($"certificate {certificate.SerialHex} of {certificate.InstanceId} is not in the registry");
        return Encoding.ASCII.GetString(stored.Content);
    }

    public Task RecordAsync(IssuedCertificate certificate, CancellationToken cancellationToken) =>
        _store.PutAsync(RegistryLayout.CertificateKey(certificate), Encoding.ASCII.GetBytes(certificate.CertificatePem), cancellationToken);

    public Task RevokeAsync(IReadOnlyCollection<string> instanceIds, string reason, CancellationToken cancellationToken) =>
        RevokeBatchAsync([.. instanceIds.Distinct(StringComparer.Ordinal).Select(id => RevocationRequest.AllOf(id, reason))], cancellationToken);

    public async Task<IReadOnlyList<IssuedCertificate>> RevokeSupersededAsync(IssuedCertificate newest, CancellationToken cancellationToken)
    {
        var request = RevocationRequest.Superseded(newest);
        return (await RevokeBatchAsync([request], cancellationToken))[request];
    }

    public async Task<IReadOnlyDictionary<RevocationRequest, IReadOnlyList<IssuedCertificate>>> RevokeBatchAsync(
        IReadOnlyCollection<RevocationRequest> requests, CancellationToken cancellationToken)
    {
        var now = _timeProvider.GetUtcNow();
        var trusted = (await _keyring.GetSnapshotAsync(cancellationToken)).Trusted.ToDictionary(ca => ca.CaId, StringComparer.Ordinal);
        var revoked = requests.Distinct().ToDictionary(request => request, _ => new List<IssuedCertificate>());
        var changedCas = new ConcurrentDictionary<string, bool>(StringComparer.Ordinal);

        // Records first, CRLs after: a crash in between leaves records that the next CRL refresh finds missing from the CRL.
        // One listing per instance, several at a time: a batch may hold a thousand instances.
        var options = new ParallelOptions { MaxDegreeOfParallelism = InstancesInParallel, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(revoked.Keys.GroupBy(request => request.InstanceId, StringComparer.Ordinal), options, async (forInstance, token) =>
        {
            var (certificates, migrated) = await ListInstanceAsync(forInstance.Key, token);
            foreach (var certificate in migrated)
            {
                changedCas[certificate.CaId] = true;
            }

            foreach (var request in forInstance)
            {
                var stillHeld = request.SupersededBy is { } newest ? await AddressesAsync(newest, token) : null;
                foreach (var certificate in certificates.Where(certificate => certificate.NotAfter > now && Covers(request, certificate)))
                {
                    var body = new RevocationRecordBody(now, request.Reason, request.Why) { Addresses = await AddressesAsync(certificate, token), StillHeld = stillHeld };
                    if (await _records.WriteAsync(certificate, body, token))
                    {
                        // Each request's list belongs to one instance, and one instance's requests run in one task.
                        revoked[request].Add(certificate);
                        changedCas[certificate.CaId] = true;
                    }
                }
            }
        });

        await PublishAsync(changedCas.Keys, trusted, revoked.SelectMany(pair => pair.Value), cancellationToken);
        Report(revoked);
        return revoked.ToDictionary(pair => pair.Key, pair => (IReadOnlyList<IssuedCertificate>)pair.Value);
    }

    public async Task<IReadOnlyList<IssuedCertificate>> RevokeIssuedByAsync(IReadOnlyCollection<string> caIds, string why, CancellationToken cancellationToken)
    {
        var now = _timeProvider.GetUtcNow();
        var trusted = (await _keyring.GetSnapshotAsync(cancellationToken)).Trusted.ToDictionary(ca => ca.CaId, StringComparer.Ordinal);
        var scan = await ScanAsync(cancellationToken);
        var targets = scan.All.Where(certificate => caIds.Contains(certificate.CaId) && certificate.NotAfter > now
            && !scan.Revoked.Contains((certificate.InstanceId, certificate.SerialHex))).ToList();
        var revoked = new ConcurrentBag<IssuedCertificate>();
        var options = new ParallelOptions { MaxDegreeOfParallelism = InstancesInParallel, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(targets, options, async (certificate, token) =>
        {
            // The instance's newest certificate from another CA (the re-issue) still names its addresses: its SAs stay.
            var stillHeld = scan.Newest.TryGetValue(certificate.InstanceId, out var newest) && !caIds.Contains(newest.CaId)
                && !scan.Revoked.Contains((newest.InstanceId, newest.SerialHex)) ? await AddressesAsync(newest, token) : null;
            var body = new RevocationRecordBody(now, RevocationReason.Superseded, why) { Addresses = await AddressesAsync(certificate, token), StillHeld = stillHeld };
            if (await _records.WriteAsync(certificate, body, token)) revoked.Add(certificate);
        });
        await PublishAsync(caIds, trusted, revoked, cancellationToken);
        PkiLog.CertificatesRevoked(_logger, revoked.Count, revoked.Select(c => c.InstanceId).Distinct(StringComparer.Ordinal).Count(), why);
        return [.. revoked];
    }

    public async Task<IReadOnlyList<RevokedPeer>> RecentRevocationsAsync(TimeSpan window, CancellationToken cancellationToken)
    {
        var since = _timeProvider.GetUtcNow() - window;
        var peers = new List<RevokedPeer>();
        foreach (var ca in (await _keyring.GetSnapshotAsync(cancellationToken)).Trusted)
        {
            foreach (var record in await _records.ListAsync(ca.CaId, cancellationToken))
            {
                // A record is written once (a conditional put): its time is the revocation's.
                if (record.Listing.LastModified < since) continue;
                var body = _recentBodies.TryGetValue(record.Listing.Key, out var known) ? known : await _records.ReadBodyAsync(record, cancellationToken);
                if (body is null) continue;
                _recentBodies[record.Listing.Key] = body;
                peers.AddRange(body.AddressesToCut.Select(address => new RevokedPeer(record.Record.SerialHex, address)));
            }
        }

        foreach (var key in _recentBodies.Where(pair => pair.Value.RevokedAt < since - window).Select(pair => pair.Key).ToList())
        {
            _recentBodies.TryRemove(key, out _);
        }

        return peers;
    }

    /// <summary>Publishes the CRL of each trusted CA among <paramref name="caIds"/>; a CA no longer trusted gets none (hosts do not trust it).</summary>
    private async Task PublishAsync(IEnumerable<string> caIds, Dictionary<string, LoadedCa> trusted, IEnumerable<IssuedCertificate> revoked, CancellationToken cancellationToken)
    {
        foreach (var caId in caIds.Distinct(StringComparer.Ordinal))
        {
            if (trusted.TryGetValue(caId, out var ca))
            {
                await EnsureLegacyMarkersMigratedAsync(cancellationToken);
                await _publisher.PublishIfNeededAsync(ca, cancellationToken);
            }
            else
            {
                PkiLog.RevocationSkippedForRetiredCa(_logger, string.Join(',', revoked.Where(c => c.CaId == caId).Select(c => c.InstanceId).Distinct()), caId);
            }
        }
    }

    /// <summary>The IP addresses <paramref name="certificate"/> names (one read of it when its PEM is not at hand; none when it is gone).</summary>
    private async Task<IReadOnlyList<string>> AddressesAsync(IssuedCertificate certificate, CancellationToken cancellationToken)
    {
        try
        {
            return CertificateAddresses.Of(await GetCertificatePemAsync(certificate, cancellationToken));
        }
        catch (KeyNotFoundException)
        {
            return [];
        }
    }

    public async Task RefreshCrlsAsync(CancellationToken cancellationToken)
    {
        var snapshot = await _keyring.GetSnapshotAsync(cancellationToken);
        await EnsureLegacyMarkersMigratedAsync(cancellationToken);
        foreach (var ca in snapshot.Trusted)
        {
            await _publisher.PublishIfNeededAsync(ca, cancellationToken);
        }
    }

    public async Task<IReadOnlyList<PublishedCrl>> GetCrlsAsync(IReadOnlyList<string> caIds, CancellationToken cancellationToken)
    {
        var crls = new List<PublishedCrl>(caIds.Count);
        foreach (var caId in caIds)
        {
            // Hosts get only a CRL that is the CA's own: a forged one would make every host refuse the config.
            if (await _store.GetAsync(RegistryLayout.CrlKey(caId), cancellationToken) is { } stored
                && _publisher.Believe(stored.Content, await _keyring.LoadCertificateAsync(caId, cancellationToken)) is not null)
            {
                crls.Add(new PublishedCrl(caId, stored.Content));
            }
        }

        return crls;
    }

    public void Dispose() => _legacyScan.Dispose();

    private static bool Covers(RevocationRequest request, IssuedCertificate certificate) => request.SupersededBy is not { } newest
        || (certificate.SerialHex != newest.SerialHex
            && certificate.NamesHash != newest.NamesHash
            && certificate.NotBefore <= newest.NotBefore);

    private static bool IsNewer(IssuedCertificate candidate, IssuedCertificate known) =>
        candidate.NotAfter != known.NotAfter ? candidate.NotAfter > known.NotAfter : candidate.NotBefore > known.NotBefore;

    /// <summary>An instance's certificates (its folder, one listing), after turning its legacy markers into records.</summary>
    private async Task<(List<IssuedCertificate> Certificates, IReadOnlyList<IssuedCertificate> Migrated)> ListInstanceAsync(string instanceId, CancellationToken cancellationToken)
    {
        var listing = new List<ObjectListing>();
        await foreach (var item in _store.ListAsync(RegistryLayout.InstancePrefix(instanceId), cancellationToken))
        {
            listing.Add(item);
        }

        var migrated = await _records.MigrateLegacyMarkersAsync(listing, cancellationToken);
        var certificates = listing.Select(item => RegistryLayout.Parse(item.Key)?.Certificate).OfType<IssuedCertificate>().ToList();
        return (certificates, migrated);
    }

    /// <summary>
    /// Once per process, before its first CRL: a full listing that turns every legacy marker into a record, so a CRL
    /// derived from records lists what earlier versions revoked. (<see cref="LoadCurrentAsync"/> does the same on its listing.)
    /// </summary>
    private async Task EnsureLegacyMarkersMigratedAsync(CancellationToken cancellationToken)
    {
        if (_legacyScanned)
        {
            return;
        }

        await _legacyScan.WaitAsync(cancellationToken);
        try
        {
            if (!_legacyScanned)
            {
                await ScanAsync(cancellationToken);
            }
        }
        finally
        {
            _legacyScan.Release();
        }
    }

    /// <summary>One paginated listing of <c>issued/</c>: each instance's newest certificate and every revoked (instance, serial); migrates legacy markers.</summary>
    private async Task<Scan> ScanAsync(CancellationToken cancellationToken)
    {
        var newest = new Dictionary<string, IssuedCertificate>(StringComparer.Ordinal);
        var all = new List<IssuedCertificate>();
        var recorded = new HashSet<(string InstanceId, string Serial)>();
        var markers = new HashSet<(string InstanceId, string Serial)>();
        await foreach (var listing in _store.ListAsync(RegistryLayout.Prefix, cancellationToken))
        {
            if (listing.Key.StartsWith(RegistryLayout.CrlPrefix, StringComparison.Ordinal))
            {
                continue;
            }

            if (listing.Key.StartsWith(RegistryLayout.RevokedPrefix, StringComparison.Ordinal))
            {
                if (RegistryLayout.ParseRevocationRecord(listing.Key) is { } record)
                {
                    recorded.Add((record.InstanceId, record.SerialHex));
                }
                else
                {
                    PkiLog.RegistryObjectIgnored(_logger, listing.Key, "not a revocation record");
                }

                continue;
            }

            switch (RegistryLayout.Parse(listing.Key))
            {
                case null:
                    PkiLog.RegistryObjectIgnored(_logger, listing.Key, "not a registry key");
                    break;
                case { Certificate: null } marker:
                    markers.Add((marker.InstanceId, marker.SerialHex));
                    break;
                case { Certificate: { } certificate }:
                    all.Add(certificate);
                    if (!newest.TryGetValue(certificate.InstanceId, out var known) || IsNewer(certificate, known))
                    {
                        newest[certificate.InstanceId] = certificate;
                    }

                    break;
            }
        }

        var unmigrated = markers.Where(marker => !recorded.Contains(marker)).Select(marker => marker.InstanceId);
        await _records.MigrateLegacyMarkersOfAsync(unmigrated, cancellationToken);
        _legacyScanned = true;
        return new Scan(newest, [.. recorded, .. markers], all);
    }

    private void Report(Dictionary<RevocationRequest, List<IssuedCertificate>> revoked)
    {
        foreach (var group in revoked.Where(pair => pair.Key.SupersededBy is null).GroupBy(pair => pair.Key.Why, StringComparer.Ordinal))
        {
            PkiLog.CertificatesRevoked(_logger, group.Sum(pair => pair.Value.Count), group.Count(), group.Key);
        }

        foreach (var (request, certificates) in revoked)
        {
            if (request.SupersededBy is { } newest && certificates.Count > 0)
            {
                PkiLog.CertificatesSuperseded(_logger, certificates.Count, newest.InstanceId, newest.SerialHex, newest.NamesHash);
            }
        }
    }

    private sealed record Scan(Dictionary<string, IssuedCertificate> Newest, HashSet<(string InstanceId, string Serial)> Revoked, List<IssuedCertificate> All);
}
