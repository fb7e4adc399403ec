using IpsecMesh.EndToEnd.Cloud;
using IpsecMesh.EndToEnd.Guest;
using IpsecMesh.EndToEnd.Wire;

namespace IpsecMesh.EndToEnd.Scenarios;

/// <summary>
/// g. A late peer: two enrolled hosts ping a host under <c>private</c> before it is tagged todo (they
/// hold drop failure shunts for it), and keep pinging; once it is enabled both must get answers over
/// ESP within 10 s. Also prints todo → enabled as SSM command time plus controller latency.
/// </summary>
public static class LatePeerScenario
{
    private static readonly TimeSpan PingInterval = TimeSpan.FromMilliseconds(100);

    public static async Task<ScenarioOutcome> RunAsync(ScenarioContext context, CancellationToken cancellationToken)
    {
        var late = context.Outsider;
        var peers = context.Mesh.Take(2).ToArray();
        var verdict = new Verdict("g", $"late peer: {late.Name} enrols while {string.Join(" and ", peers.Select(p => p.Name))} ping it; ESP within 10 s of enabled");
        var capture = await context.Guest.StartCaptureAsync("g-late-peer", cancellationToken);
        var pairs = peers.Select(p => (From: p, To: late)).ToList();
        await context.Guest.StartPingersAsync("g", pairs, PingInterval, cancellationToken);
        // Long enough for both peers to fail a negotiation and hold the drop shunt.
        await Task.Delay(TimeSpan.FromSeconds(8), context.Time, cancellationToken);

        var todo = context.Time.GetUtcNow();
        context.Cloud.SetMeshTag(late, MeshTags.Todo);
        var enabled = await context.WaitForAsync(() => context.Tag(late, MeshTags.Key) == MeshTags.Enabled, TimeSpan.FromMinutes(8), cancellationToken);
        var enabledAt = context.Time.GetUtcNow();
        verdict.Expect(enabled, $"{late.Name} is '{context.Tag(late, MeshTags.Key)}', not enabled");
        await Task.Delay(SuitePolicy.LatePeerTarget + TimeSpan.FromSeconds(5), context.Time, cancellationToken);
        var pinged = await context.Guest.StopPingersAsync("g", pairs, cancellationToken);
        var packets = await context.Guest.StopCaptureAsync(capture, cancellationToken);

        // A pinger that never sent would read as a peer the late host never reached.
        foreach (var (from, _, summary) in pinged)
            verdict.Expect(summary.Transmitted > 0, $"{from.Name}'s pinger to {late.Name} sent nothing");
        foreach (var peer in peers)
        {
            // The late host's echo replies, encrypted: the first ESP packet from it to the peer after it was enabled.
            var firstReply = packets.FirstOrDefault(p => p.Kind == PacketKind.Esp && p.Source == late.Address && p.Destination == peer.Address
                && context.ToLocalTime(p.Timestamp) >= enabledAt);
            var seconds = firstReply is null ? (double?)null : (context.ToLocalTime(firstReply.Timestamp) - enabledAt).TotalSeconds;
            verdict.Figure($"{peer.Name}<-{late.Name} first ESP {(seconds is { } s ? $"{s:0.0}s" : "never")} after enabled");
            var reached = seconds is not null && seconds <= SuitePolicy.LatePeerTarget.TotalSeconds;
            verdict.Expect(reached, $"{peer.Name} got no ESP from {late.Name} within {SuitePolicy.LatePeerTarget.TotalSeconds:0}s of it being enabled");
            if (!reached) await DumpPeerStateAsync(context, peer, late, cancellationToken);
        }
        var leak = packets.Count(p => p.IsCleartext && peers.Any(peer => p.Between(peer.Address, late.Address)));
        verdict.Expect(leak == 0, $"{leak} cleartext packets between the peers and {late.Name} under private");
        if (enabled)
        {
            var (commands, controller) = await EnrolmentLatency.MeasureAsync(context, late, todo, enabledAt, cancellationToken);
            verdict.Figure($"todo->enabled {(enabledAt - todo).TotalSeconds:0.0}s = SSM commands {commands.TotalSeconds:0.0}s + controller {controller.TotalSeconds:0.0}s");
            verdict.Expect(controller <= EnrolmentLatency.Target, $"{controller.TotalSeconds:0.0}s of controller latency, over {EnrolmentLatency.Target.TotalSeconds:0}s");
        }
        return verdict.Outcome();
    }

    /// <summary>What an unreached peer holds for the late host (XFRM counters, shunts, SAs, kernel policies, pluto's lines), on stderr for driver.log.</summary>
    private static async Task DumpPeerStateAsync(ScenarioContext context, GuestHost peer, GuestHost late, CancellationToken cancellationToken)
    {
        var result = await context.Guest.OnHostAsync(peer, $"""
            echo "--- xfrm_stat"; grep -v '[[:space:]]0$' /proc/net/xfrm_stat
            echo "--- shunts"; ipsec whack --shuntstatus 2>&1
            echo "--- traffic"; ipsec whack --trafficstatus 2>&1 | grep -F '{late.Address}'
            echo "--- states"; ipsec whack --showstates 2>&1 | grep -F '{late.Address}'
            echo "--- policies"; ip xfrm policy 2>&1 | grep -A3 -F '{late.Address}'
            echo "--- xfrm states"; ip xfrm state 2>&1 | grep -A2 -F '{late.Address}'
            echo "--- pluto"; grep -F '{late.Address}' /var/log/pluto.log | tail -n 60
            """, cancellationToken);
        Console.Error.WriteLine($"g: {peer.Name}, not reached by {late.Name}:\n{result.Stdout}{result.Stderr}");
    }
}
