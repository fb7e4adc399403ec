using IpsecMesh.Pki;
using Microsoft.Extensions.Logging;

namespace IpsecMesh.Core.Desired;

/// <summary>What hosts must trust and distrust, from the mesh CA: the trust bundle, the current CA, the CRLs and the recent revocations.</summary>
public sealed class TrustFeed(IMeshCertificateAuthority authority, IIssuanceRegistry registry, ILogger<TrustFeed> logger)
{
    /// <summary>
    /// How far back revocations are sent to hosts as <c>revoked-peers</c>: longer than any IKE SA lives (libreswan's
    /// ikelifetime is at most 24 h) and than any host takes to get the CRL, so every live SA with a revoked peer is cut
    /// when its host loads the CRL.
    /// </summary>
    public static readonly TimeSpan RevokedPeerWindow = TimeSpan.FromHours(24);

    public Task<TrustBundle> GetTrustBundleAsync(CancellationToken cancellationToken) => authority.GetTrustBundleAsync(cancellationToken);

    public Task<string> GetCurrentCaIdAsync(CancellationToken cancellationToken) => authority.GetCurrentCaIdAsync(cancellationToken);

    /// <summary>The published CRL of each of <paramref name="caIds"/>; registry errors propagate.</summary>
    public Task<IReadOnlyList<PublishedCrl>> GetCrlsAsync(IReadOnlyList<string> caIds, CancellationToken cancellationToken) => registry.GetCrlsAsync(caIds, cancellationToken);

    /// <summary>
    /// Re-signs CRLs past half their lifetime (and publishes an empty one for a CA without any), so what
    /// hosts load stays current. A failure (KMS, S3) only delays that: hosts keep the CRLs they have.
    /// </summary>
    public async Task RefreshCrlsAsync(CancellationToken cancellationToken)
    {
        try
        {
            await registry.RefreshCrlsAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            DesiredLog.CrlRefreshFailed(logger, e.GetType().Name, e.Message);
        }
    }

    /// <summary>The recent revocations' addresses; on a failure (S3) the last ones read (a CRL loaded without them cuts nothing).</summary>
    public async Task<IReadOnlyList<RevokedPeer>> RecentRevokedPeersAsync(IReadOnlyList<RevokedPeer> lastRead, CancellationToken cancellationToken)
    {
        try
        {
            return await registry.RecentRevocationsAsync(RevokedPeerWindow, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            DesiredLog.RevokedPeersFailed(logger, e.GetType().Name, e.Message);
            return lastRead;
        }
    }
}
