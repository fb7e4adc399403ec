using System.Security.Cryptography;
using System.Text;
using IpsecMesh.Core.Options;
using IpsecMesh.Core.Reconcile;
using IpsecMesh.Core.Telemetry;
using IpsecMesh.HostAgent.Policy;
using IpsecMesh.Pki;
using IpsecMesh.Pki.Storage;
using Microsoft.Extensions.Logging;

namespace IpsecMesh.Core.Desired;

/// <summary>
/// The desired state of every enrolled host: the live mesh policy (S3 <c>config/</c>, else the
/// embedded default), the CA trust bundle, the current CA and the trusted CAs' CRLs. A policy that
/// fails validation is never rolled out: the last good one stays in force and the errors are logged
/// with file and line. The config hash covers policy, bundle and CRLs, so a revocation reaches every
/// enabled host the way a policy change does: as <c>apply-config</c> to hosts whose config tag is older.
/// </summary>
public sealed class DesiredStateProvider(
    IObjectStore store,
    IMeshCertificateAuthority authority,
    IIssuanceRegistry registry,
    IpsecMeshOptions options,
    TimeProvider time,
    ILogger<DesiredStateProvider> logger) : IDisposable
{
    public const string ConfigPrefix = "config/";

    private readonly SemaphoreSlim _refresh = new(1, 1);
    private Snapshot? _current;
    private string? _bundleSeen;
    private DateTimeOffset _bundleChangedAt;

    public sealed record Snapshot(MeshPolicy Policy, TrustBundle Bundle, string CaId, string ConfigHash, IReadOnlyList<PolicyError> RejectedErrors)
    {
        /// <summary>The published CRL of each CA of the bundle that has one; hosts load them with the config.</summary>
        public IReadOnlyList<PublishedCrl> Crls { get; init; } = [];

        /// <summary>Short hash of <see cref="Crls"/> ("none" without any).</summary>
        public string CrlsId { get; init; } = NoCrls;
    }

    private const string NoCrls = "none";

    public Snapshot Current => _current ?? throw new InvalidOperationException("desired state is not loaded yet");

    public bool IsLoaded => _current is not null;

    /// <summary>Whether every enabled host has applied the current config (and so trusts the current bundle); kept by the resync.</summary>
    public bool FleetTrustsBundle { get; set; }

    public async Task<Snapshot> RefreshAsync(CancellationToken cancellationToken)
    {
        await _refresh.WaitAsync(cancellationToken);
        try
        {
            var (policy, errors) = await LoadPolicyAsync(cancellationToken);
            var bundle = await authority.GetTrustBundleAsync(cancellationToken);
            var caId = await authority.GetCurrentCaIdAsync(cancellationToken);
            if (bundle.BundleId != _bundleSeen)
            {
                if (_bundleSeen is not null) Log.TrustBundleChanged(logger, _bundleSeen, bundle.BundleId);
                _bundleSeen = bundle.BundleId;
                _bundleChangedAt = time.GetUtcNow();
            }
            await RefreshCrlsAsync(cancellationToken);
            var crls = await registry.GetCrlsAsync(bundle.CaIds, cancellationToken);
            var crlsId = CrlsIdOf(crls);
            // Without CRLs the hash is what it was before hosts loaded them, so no host is touched for nothing.
            var hashed = policy.Hash + "/" + bundle.BundleId + (crls.Count == 0 ? "" : "/" + crlsId);
            var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(hashed)))[..12];
            if (_current?.ConfigHash != hash) Log.DesiredConfig(logger, hash, policy.Hash, bundle.BundleId, crlsId);
            return _current = new Snapshot(policy, bundle, caId, hash, errors) { Crls = crls, CrlsId = crlsId };
        }
        finally
        {
            _refresh.Release();
        }
    }

    /// <summary>The decision's view, given whether every enabled host already trusts the current bundle.</summary>
    public DesiredState ToDesiredState(bool fleetTrustsBundle) => new()
    {
        ConfigHash = Current.ConfigHash,
        CurrentCaId = Current.CaId,
        // New-CA certificates only once peers trust the new CA, or after a grace period for stragglers.
        CaReissueAllowed = fleetTrustsBundle || time.GetUtcNow() >= _bundleChangedAt + options.CaTrustPropagation,
        RenewAfter = options.RenewAfter,
        ControllerGeneratesKeys = options.EnrolmentMode == EnrolmentMode.ControllerKey,
    };

    /// <summary>
    /// Re-signs CRLs past half their lifetime (and publishes an empty one for a CA without any), so what
    /// hosts load stays current. A failure (KMS, S3) only delays that: hosts keep the CRLs they have.
    /// </summary>
    private async Task RefreshCrlsAsync(CancellationToken cancellationToken)
    {
        try
        {
            await registry.RefreshCrlsAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.CrlRefreshFailed(logger, e.GetType().Name, e.Message);
        }
    }

    private static string CrlsIdOf(IReadOnlyList<PublishedCrl> crls)
    {
        if (crls.Count == 0) return NoCrls;
        var text = string.Join('/', crls.OrderBy(c => c.CaId, StringComparer.Ordinal)
            .Select(c => c.CaId + ":" + Convert.ToHexStringLower(SHA256.HashData(c.Der))));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..12];
    }

    private async Task<(MeshPolicy Policy, IReadOnlyList<PolicyError> Errors)> LoadPolicyAsync(CancellationToken cancellationToken)
    {
        var files = new Dictionary<string, string>(StringComparer.Ordinal);
        await foreach (var listing in store.ListAsync(ConfigPrefix, cancellationToken))
        {
            var name = listing.Key[ConfigPrefix.Length..];
            if (name.Length == 0 || name.EndsWith('/')) continue;
            if (await store.GetAsync(listing.Key, cancellationToken) is { } stored)
                files[name] = Encoding.UTF8.GetString(stored.Content);
        }
        if (files.Count == 0) return (MeshPolicy.Default, []);

        var result = MeshPolicy.Load(files, $"s3://{options.Bucket}/{ConfigPrefix}");
        if (result.Policy is not null && result.Errors.Count == 0) return (result.Policy, []);

        var keep = _current?.Policy ?? MeshPolicy.Default;
        foreach (var error in result.Errors) Log.PolicyRejected(logger, error.ToString(), keep.Hash);
        return (keep, result.Errors);
    }

    public void Dispose() => _refresh.Dispose();
}
