using System.Net;
using IpsecMesh.Core.Model;
using IpsecMesh.Core.State;
using IpsecMesh.HostAgent.Policy;

namespace IpsecMesh.Core.Agents;

/// <summary>
/// The peers a host initiates to once its conns are loaded (the request's <c>peers</c> file): a
/// peer that tried the host before, while the host had no conns, holds a failure shunt for the
/// pair until shuntlifetime expires, and the host initiating is what replaces it. Every address of
/// every enabled instance (the host's own included: the agent skips its own addresses, and one list
/// for every host keeps the requests of a roll-out identical, so they share SendCommands) that the policy puts in a group it
/// initiates in (<c>private</c>, <c>private-or-clear</c>; the most specific group decides, as in
/// libreswan), in address order, at most <c>limit</c>. From the controller's own view of the fleet:
/// no AWS call.
/// </summary>
public static class LatePeers
{
    /// <summary>The groups whose conns trap outgoing packets, so a packet (or a connect) to a peer there starts a negotiation.</summary>
    public static readonly IReadOnlyList<string> InitiatingGroups = [PolicyGroups.Private, PolicyGroups.PrivateOrClear];

    public static IReadOnlyList<IPAddress> For(MeshPolicy policy, IEnumerable<InstanceSnapshot> fleet, string tagKey, int limit)
    {
        if (limit <= 0) return [];
        return fleet
            .Where(s => !s.IsGone && s.Tag(tagKey) == TagValues.Enabled)
            .SelectMany(s => s.PrivateAddresses)
            .Where(a => InitiatingGroups.Contains(MostSpecificGroup(policy, a)))
            .Distinct()
            .Order(Cloud.AddressOrder.Instance)
            .Take(limit)
            .ToList();
    }

    /// <summary>The snapshots of every instance the store knows.</summary>
    public static IEnumerable<InstanceSnapshot> Known(InstanceStore store)
    {
        foreach (var id in store.Ids)
        {
            if (!store.TryGet(id, out var record)) continue;
            InstanceSnapshot? snapshot;
            lock (record) snapshot = record.Snapshot;
            if (snapshot is not null) yield return snapshot;
        }
    }

    /// <summary>The request's peers file: one address a line.</summary>
    public static byte[] Render(IReadOnlyList<IPAddress> peers) =>
        System.Text.Encoding.ASCII.GetBytes(string.Concat(peers.Select(p => p + "\n")));

    private static string? MostSpecificGroup(MeshPolicy policy, IPAddress address) =>
        policy.Groups
            .SelectMany(g => g.Value.Where(n => n.Contains(address)).Select(n => (Group: g.Key, n.PrefixLength)))
            .OrderByDescending(m => m.PrefixLength)
            .Select(m => m.Group)
            .FirstOrDefault();
}
