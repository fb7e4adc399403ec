using IpsecMesh.Core.Cloud;
using IpsecMesh.Pki;

namespace IpsecMesh.Core.Reconcile;

/// <summary>Coalesces revocations so that many instances terminated together cost one CRL publication, not one each.</summary>
public sealed class RevocationQueue(IIssuanceRegistry registry, TimeProvider time, TimeSpan window) : IAsyncDisposable
{
    private readonly Batcher<string, bool> _batcher = new(1000, window, time, async (reason, ids, cancellationToken) =>
    {
        await registry.RevokeAsync([.. ids], reason, cancellationToken);
        return ids.ToDictionary(id => id, _ => true, StringComparer.Ordinal);
    });

    public Task RevokeAsync(string instanceId, string reason, CancellationToken cancellationToken) =>
        _batcher.SubmitAsync(reason, instanceId, cancellationToken);

    public ValueTask DisposeAsync() => _batcher.DisposeAsync();
}
