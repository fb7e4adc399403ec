using System.Security.Cryptography;
using System.Text;
using IpsecMesh.Core.Model;
using IpsecMesh.Core.Options;
using IpsecMesh.Core.Rollout;
using IpsecMesh.HostAgent.Policy;
using IpsecMesh.Pki;
using Microsoft.Extensions.Logging;

namespace IpsecMesh.Core.Desired;

/// <summary>
/// The desired state of every enrolled host: the newest valid mesh policy (S3 <c>config/</c>, else
/// the embedded default) with the CA trust bundle, rolled out in waves by <see cref="ConfigRollout"/>,
/// and the trusted CAs' CRLs, which every host gets at once. A policy that fails validation is never
/// rolled out: the last valid one stays the candidate and the errors are logged with file and line.
/// A host's config hash covers its generation's policy and bundle and the CRLs, so a revocation
/// reaches every enabled host as <c>apply-config</c>.
/// </summary>
public sealed class DesiredStateProvider(
    PolicySource policies,
    TrustFeed trust,
    ConfigRollout rollout,
    IpsecMeshOptions options,
    TimeProvider time,
    ILogger<DesiredStateProvider> logger) : IDisposable
{
    private readonly SemaphoreSlim _refresh = new(1, 1);
    private Snapshot? _current;
    private string? _bundleSeen;
    private DateTimeOffset _bundleChangedAt;

    /// <summary>The newest valid config (the roll-out's candidate) and the CRLs of every CA a host may trust.</summary>
    public sealed record Snapshot(MeshPolicy Policy, TrustBundle Bundle, string CaId, string ConfigHash, IReadOnlyList<PolicyError> RejectedErrors)
    {
        /// <summary>The published CRL of each CA of any generation hosts may run; each host gets those of its bundle.</summary>
        public IReadOnlyList<PublishedCrl> Crls { get; init; } = [];

        /// <summary>The addresses of the certificates revoked within <see cref="TrustFeed.RevokedPeerWindow"/>, read after the CRLs (records come first).</summary>
        public IReadOnlyList<RevokedPeer> RevokedPeers { get; init; } = [];
    }

    public Snapshot Current => _current ?? throw new InvalidOperationException("desired state is not loaded yet");

    public bool IsLoaded => _current is not null;

    public async Task<Snapshot> RefreshAsync(CancellationToken cancellationToken)
    {
        await _refresh.WaitAsync(cancellationToken);
        try
        {
            var (written, errors) = await policies.LoadAsync(_current?.Policy, cancellationToken);
            var policy = policies.WithVpcEntries(written);
            var bundle = await trust.GetTrustBundleAsync(cancellationToken);
            var caId = await trust.GetCurrentCaIdAsync(cancellationToken);
            if (bundle.BundleId != _bundleSeen)
            {
                if (_bundleSeen is not null) DesiredLog.TrustBundleChanged(logger, _bundleSeen, bundle.BundleId);
                _bundleSeen = bundle.BundleId;
                _bundleChangedAt = time.GetUtcNow();
            }
            var candidate = new ConfigGeneration(policy, bundle);
            await rollout.OfferAsync(candidate, cancellationToken);
            await trust.RefreshCrlsAsync(cancellationToken);
            var caIds = new[] { rollout.LastGood, rollout.Target, candidate }.OfType<ConfigGeneration>()
                .SelectMany(g => g.Bundle.CaIds).Distinct(StringComparer.Ordinal).ToList();
            var crls = await trust.GetCrlsAsync(caIds, cancellationToken);
            var revokedPeers = await trust.RecentRevokedPeersAsync(_current?.RevokedPeers ?? [], cancellationToken);
            var hash = HashOf(candidate, crls);
            if (_current?.ConfigHash != hash) DesiredLog.DesiredConfig(logger, hash, policy.Hash, bundle.BundleId, CrlsIdOf(CrlsOf(candidate, crls)) ?? "none");
            return _current = new Snapshot(policy, bundle, caId, hash, errors) { Crls = crls, RevokedPeers = revokedPeers };
        }
        finally
        {
            _refresh.Release();
        }
    }

    /// <summary>
    /// The config one host should run, given the config hash it runs now (from its sealed tag): the
    /// roll-out's target once the host runs it or its wave admits it, otherwise the last good config.
    /// </summary>
    public DesiredConfig ConfigFor(string instanceId, string? appliedHash)
    {
        var current = Current;
        var runsTarget = rollout.Target is { } target && appliedHash == HashOf(target, current.Crls);
        var generation = rollout.GenerationFor(instanceId, runsTarget) ?? new ConfigGeneration(current.Policy, current.Bundle);
        var crls = CrlsOf(generation, current.Crls);
        return new DesiredConfig(generation.HashWith(CrlsIdOf(crls)), generation.Policy, generation.Bundle, crls) { RevokedPeers = current.RevokedPeers };
    }

    /// <summary>The hash a host running the roll-out's target reports, or null when nothing is being rolled out.</summary>
    public string? TargetHash => rollout.Target is { } target && _current is { } current ? HashOf(target, current.Crls) : null;

    /// <summary>The decision's view for a host whose desired config hash is <paramref name="configHash"/>.</summary>
    public DesiredState ToDesiredState(string configHash) => new()
    {
        ConfigHash = configHash,
        CurrentCaId = Current.CaId,
        // New-CA certificates only once every host trusts the new CA (the bundle naming it is the last
        // good config, so every enabled host runs it), or after a grace period for stragglers.
        CaReissueAllowed = rollout.LastGood?.Bundle.CaIds.Contains(Current.CaId) == true || time.GetUtcNow() >= _bundleChangedAt + options.CaTrustPropagation,
        RenewAfter = options.RenewAfter,
        ControllerGeneratesKeys = options.EnrolmentMode == EnrolmentMode.ControllerKey,
    };

    private static string HashOf(ConfigGeneration generation, IReadOnlyList<PublishedCrl> crls) => generation.HashWith(CrlsIdOf(CrlsOf(generation, crls)));

    /// <summary>The CRLs of the CAs a generation's bundle trusts: a host must not get a CRL of a CA it does not trust.</summary>
    private static IReadOnlyList<PublishedCrl> CrlsOf(ConfigGeneration generation, IReadOnlyList<PublishedCrl> crls) =>
        [.. crls.Where(c => generation.Bundle.CaIds.Contains(c.CaId))];

    /// <summary>Short hash of the CRLs, or null without any (the config hash then omits them).</summary>
    private static string? CrlsIdOf(IReadOnlyList<PublishedCrl> crls)
    {
        if (crls.Count == 0) return null;
        var text = string.Join('/', crls.OrderBy(c => c.CaId, StringComparer.Ordinal)
            .Select(c => c.CaId + ":" + Convert.ToHexStringLower(SHA256.HashData(c.Der))));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..12];
    }

    public void Dispose() => _refresh.Dispose();
}
