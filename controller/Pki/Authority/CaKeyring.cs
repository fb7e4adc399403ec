using System.Collections.Concurrent;
using IpsecMesh.Pki.Kms;
using IpsecMesh.Pki.Signing;
using IpsecMesh.Pki.Storage;
using Microsoft.Extensions.Logging;

namespace IpsecMesh.Pki.Authority;

/// <summary>
/// The CAs under <c>ca/</c> as the controller uses them: state re-read at most once per refresh interval,
/// certificates and opened keys cached per CA id (a CA id names immutable material).
/// </summary>
public sealed class CaKeyring : IDisposable
{
    private readonly CaRepository _repository;
    private readonly IKeyService _keyService;
    private readonly PkiOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<CaKeyring> _logger;
    private readonly SemaphoreSlim _refresh = new(1, 1);
    private readonly ConcurrentDictionary<string, LoadedCa> _certificates = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Lazy<Task<ICaSigningKey>>> _signingKeys = new(StringComparer.Ordinal);
    private volatile CachedSnapshot? _cached;

    public CaKeyring(IObjectStore store, IKeyService keyService, PkiOptions options, TimeProvider timeProvider, ILogger<CaKeyring> logger)
    {
        _repository = new CaRepository(store);
        _keyService = keyService;
        _options = options;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    public async Task<CaSnapshot> GetSnapshotAsync(CancellationToken cancellationToken)
    {
        var now = _timeProvider.GetUtcNow();
        if (_cached is { } fresh && now - fresh.ReadAt < _options.CaStateRefreshInterval)
        {
            return fresh.Snapshot;
        }

        await _refresh.WaitAsync(cancellationToken);
        try
        {
            var cached = _cached;
            if (cached is not null && now - cached.ReadAt < _options.CaStateRefreshInterval)
            {
                return cached.Snapshot;
            }

            var (state, etag) = await _repository.GetStateAsync(cancellationToken)
                ?? throw new CaStoreException($"no mesh CA: {CaLayout.StateKey} does not exist; run `ipsec-mesh ca init` or `ipsec-mesh ca import`");
            var snapshot = cached?.Snapshot;
            if (snapshot is null || snapshot.ETag != etag || !IsStillTrusted(snapshot, now))
            {
                var trusted = new List<LoadedCa>();
                foreach (var caId in state.TrustedAt(now))
                {
                    trusted.Add(await LoadCertificateAsync(caId, cancellationToken));
                }

                snapshot = new CaSnapshot(state, etag, trusted[0], trusted);
            }

            _cached = new CachedSnapshot(snapshot, now);
            return snapshot;
        }
        finally
        {
            _refresh.Release();
        }
    }

    /// <summary>Forgets the cached state, so the next call reads <c>ca/state.json</c> again (after a rotation).</summary>
    public void Invalidate() => _cached = null;

    public Task<ICaSigningKey> GetSigningKeyAsync(LoadedCa ca, CancellationToken cancellationToken)
    {
        var lazy = _signingKeys.GetOrAdd(ca.CaId, _ => new Lazy<Task<ICaSigningKey>>(() => OpenSigningKeyAsync(ca, CancellationToken.None)));
        var task = lazy.Value;
        if (task.IsFaulted || task.IsCanceled)
        {
            // A failed open (KMS throttled, say) must not stick: the next caller tries again.
            _signingKeys.TryRemove(new KeyValuePair<string, Lazy<Task<ICaSigningKey>>>(ca.CaId, lazy));
        }

        return task.WaitAsync(cancellationToken);
    }

    public async Task<LoadedCa> LoadCertificateAsync(string caId, CancellationToken cancellationToken)
    {
        if (_certificates.TryGetValue(caId, out var loaded))
        {
            return loaded;
        }

        loaded = await _repository.LoadAsync(caId, cancellationToken);
        return _certificates.GetOrAdd(caId, loaded);
    }

    public void Dispose()
    {
        foreach (var lazy in _signingKeys.Values)
        {
            if (lazy.IsValueCreated && lazy.Value.IsCompletedSuccessfully)
            {
                lazy.Value.Result.Dispose();
            }
        }

        _refresh.Dispose();
    }

    private static bool IsStillTrusted(CaSnapshot snapshot, DateTimeOffset now) =>
        snapshot.State.TrustedAt(now).Count() == snapshot.Trusted.Count;

    private async Task<ICaSigningKey> OpenSigningKeyAsync(LoadedCa ca, CancellationToken cancellationToken)
    {
        ICaSigningKey key = ca.KeyDocument.Mode == CaKeyMode.KmsSigner
            ? await KmsCaSigningKey.OpenAsync(_keyService, ca.KeyDocument.KmsKeyId, cancellationToken)
            : await CaKeyEnvelope.OpenAsync(_keyService, ca.CaId, ca.KeyDocument, cancellationToken);
        if (!key.PublicKey.Equals(ca.Certificate.CertificateStructure.SubjectPublicKeyInfo))
        {
            key.Dispose();
            throw new CaStoreException($"the key of CA {ca.CaId} does not match its certificate");
        }

        PkiLog.CaKeyOpened(_logger, ca.CaId, ca.KeyDocument.Mode);
        return key;
    }

    private sealed record CachedSnapshot(CaSnapshot Snapshot, DateTimeOffset ReadAt);
}
