using IpsecMesh.Core.Cloud;
using IpsecMesh.Pki;

namespace IpsecMesh.Core.Reconcile;

/// <summary>
/// Coalesces revocations, of whole instances and of superseded certificates alike, so that what the reconciles of
/// one batch window revoke costs one CRL publication per CA, not one each.
/// </summary>
public sealed class RevocationQueue(IIssuanceRegistry registry, TimeProvider time, TimeSpan window) : IAsyncDisposable
{
    /// <summary>Every request shares one group: requests of one window go to the registry in one call.</summary>
    private const string OnePublication = "revocations";

    private readonly Batcher<RevocationRequest, IReadOnlyList<IssuedCertificate>> _batcher = new(1000, window, time,
        async (_, requests, cancellationToken) => await registry.RevokeBatchAsync(requests, cancellationToken));

    /// <summary>Revokes every unexpired certificate of the instance; <paramref name="reason"/> is for the log ("opted out").</summary>
    public Task RevokeAsync(string instanceId, string reason, CancellationToken cancellationToken) =>
        _batcher.SubmitAsync(OnePublication, RevocationRequest.AllOf(instanceId, reason), cancellationToken);

    /// <summary>Revokes the instance's earlier certificates whose names differ from <paramref name="newest"/>'s (see <see cref="IIssuanceRegistry.RevokeSupersededAsync"/>).</summary>
    /// <returns>The certificates revoked.</returns>
    public Task<IReadOnlyList<IssuedCertificate>> RevokeSupersededAsync(IssuedCertificate newest, CancellationToken cancellationToken) =>
        _batcher.SubmitAsync(OnePublication, RevocationRequest.Superseded(newest), cancellationToken);

    public ValueTask DisposeAsync() => _batcher.DisposeAsync();
}
