using IpsecMesh.EndToEnd.Cloud;
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
        await context.Guest.StopPingersAsync("g", pairs, cancellationToken);
        var packets = await context.Guest.StopCaptureAsync(capture, cancellationToken);

        foreach (var peer in peers)
        {
            // The late host's echo replies, encrypted: the first ESP packet from it to the peer after it was enabled.
            var firstReply = packets.FirstOrDefault(p => p.Kind == PacketKind.Esp && p.Source == late.Address && p.Destination == peer.Address
                && context.ToLocalTime(p.Timestamp) >= enabledAt);
            var seconds = firstReply is null ? (double?)null : (context.ToLocalTime(firstReply.Timestamp) - enabledAt).TotalSeconds;
            verdict.Figure($"{peer.Name}<-{late.Name} first ESP {(seconds is { } s ? $"{s:0.0}s" : "never")} after enabled");
            var reached = seconds is not null && seconds <= SuitePolicy.LatePeerTarget.TotalSeconds;
            // Known gap on 5.x (README): a peer may keep dropping its own traffic to the host until its failure shunt
            // expires although the host's initiation set up an SA with it. Asserted on 4.x.
            if (context.LibreswanMajor == 5 && !reached)
                verdict.Figure($"{peer.Name}: known 5.x gap, its failure shunt outlived the late host's SA");
            else
                verdict.Expect(reached, $"{peer.Name} got no ESP from {late.Name} within {SuitePolicy.LatePeerTarget.TotalSeconds:0}s of it being enabled");
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
}
