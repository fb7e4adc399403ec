using System.Net;
using IpsecMesh.Core.Cloud;
using IpsecMesh.Core.Options;
using IpsecMesh.Core.State;
using IpsecMesh.HostAgent.Policy;

namespace IpsecMesh.Core.Agents;

/// <summary>
/// The <see cref="LatePeers"/> list the commands of the moment carry, computed at most once per batch linger
/// (<c>BatchWindow</c> × (<see cref="Batcher{TItem,TResult}.MaxLingerWindows"/> + 1)) per policy. While a fleet enrols, the
/// list would otherwise change with every host enabled, and requests that differ cannot share a SendCommand; it also keeps a
/// send from walking the whole fleet. A peer enabled within that time is in the next list.
/// </summary>
public sealed class LatePeerList(InstanceStore store, IpsecMeshOptions options, TimeProvider time)
{
    private readonly TimeSpan _lifetime = options.BatchWindow * (Batcher<string, bool>.MaxLingerWindows + 1);
    private Cached? _cached;

    public IReadOnlyList<IPAddress> For(MeshPolicy policy)
    {
        var now = time.GetUtcNow();
        if (_cached is { } cached && ReferenceEquals(cached.Policy, policy) && now - cached.At < _lifetime) return cached.Peers;
        var peers = LatePeers.For(policy, LatePeers.Known(store), options.TagKey, options.LatePeerLimit);
        _cached = new Cached(policy, now, peers);
        return peers;
    }

    private sealed record Cached(MeshPolicy Policy, DateTimeOffset At, IReadOnlyList<IPAddress> Peers);
}
