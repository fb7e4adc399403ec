using System.Net;
using IpsecMesh.Core.Cloud;
using IpsecMesh.Core.Options;
using IpsecMesh.HostAgent.Policy;
using Microsoft.Extensions.Logging;

namespace IpsecMesh.Core.Agents;

/// <summary>
/// Hosts that became enabled while each other's enrolment commands ran: a host's command lists the peers
/// enabled when it was sent (<see cref="LatePeers"/>), so two hosts enrolling together list neither each
/// other, and traffic between them while one had its conns and the other not left a failure shunt for
/// the pair (up to <c>shuntlifetime</c>). Each host the reconciler tags enabled is recorded with the time
/// its enrolling command was sent; every <see cref="IpsecMeshOptions.CommandPollInterval"/> the hosts
/// recorded since the last round get one <c>initiate</c> request naming every host enabled since the
/// earliest of those commands (themselves included: the agent skips its own addresses and connects to
/// each other one). A host without a shunt for the pair initiates, and the SA the peer installs as
/// responder replaces the peer's shunt; hosts enabled in the same round both initiate. Identical requests
/// share SendCommands: one call per 50 enrolled hosts. Best effort: a failed send is logged, and the
/// shunt still expires. Not covered: a host that holds a shunt for a peer enabled in an earlier round
/// (its own connect is dropped by the shunt, and that peer is not asked again).
/// </summary>
public sealed class EnrolmentAnnouncer(ISsmGateway ssm, IpsecMeshOptions options, TimeProvider time, ILogger<EnrolmentAnnouncer> logger)
{
    /// <summary>How long an enabled host stays a candidate peer: longer than any enrolment command may run.</summary>
    public static readonly TimeSpan Memory = TimeSpan.FromHours(1);

    private readonly Lock _gate = new();
    private readonly List<Enrolled> _recent = [];
    private readonly List<Enrolled> _pending = [];

    private sealed record Enrolled(string InstanceId, IReadOnlyList<IPAddress> Addresses, DateTimeOffset CommandSentAt, DateTimeOffset EnabledAt);

    /// <summary>Records that the reconciler tagged the instance enabled after the command sent at <paramref name="commandSentAt"/>.</summary>
    public void Enabled(string instanceId, IReadOnlyList<IPAddress> addresses, DateTimeOffset commandSentAt)
    {
        var entry = new Enrolled(instanceId, addresses, commandSentAt, time.GetUtcNow());
        lock (_gate)
        {
            _recent.RemoveAll(e => e.InstanceId == instanceId);
            _recent.Add(entry);
            _pending.RemoveAll(e => e.InstanceId == instanceId);
            _pending.Add(entry);
        }
    }

    /// <summary>Sends this round's <c>initiate</c> requests (none when no host was enabled since the last round).</summary>
    public async Task AnnounceAsync(MeshPolicy policy, CancellationToken cancellationToken)
    {
        List<Enrolled> announced;
        List<IPAddress> peers;
        lock (_gate)
        {
            if (_pending.Count == 0) return;
            announced = [.. _pending];
            _pending.Clear();
            var horizon = time.GetUtcNow() - Memory;
            _recent.RemoveAll(e => e.EnabledAt < horizon);
            var since = announced.Min(e => e.CommandSentAt);
            peers = Peers(policy, _recent.Where(e => e.EnabledAt >= since), options.LatePeerLimit);
        }
        // A host alone with no other new peer has nothing to learn.
        if (options.LatePeerLimit <= 0 || peers.Count < 2) return;
        var request = AgentRequests.Initiate(peers);
        foreach (var host in announced)
        {
            try
            {
                await ssm.SendAsync(host.InstanceId, request, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Log.AnnouncementFailed(logger, host.InstanceId, e.Message);
            }
        }
        Log.Announced(logger, announced.Count, peers.Count);
    }

    private static List<IPAddress> Peers(MeshPolicy policy, IEnumerable<Enrolled> enrolled, int limit) =>
        enrolled
            .SelectMany(e => e.Addresses)
            .Where(a => LatePeers.Initiates(policy, a))
            .Distinct()
            .Order(AddressOrder.Instance)
            .Take(limit)
            .ToList();
}
