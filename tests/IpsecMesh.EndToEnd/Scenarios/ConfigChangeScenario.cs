using IpsecMesh.EndToEnd.Cloud;
using IpsecMesh.EndToEnd.Wire;

namespace IpsecMesh.EndToEnd.Scenarios;

/// <summary>
/// d. A CIDR moved from private to clear rolls out and takes effect on every host. The CIDR is the
/// broken host's (f): nobody has tried to reach it, so no failed-negotiation shunt is in the way,
/// and under private it had been unreachable (it runs no IPsec).
/// </summary>
public static class ConfigChangeScenario
{
    public static async Task<ScenarioOutcome> RunAsync(ScenarioContext context, CancellationToken cancellationToken)
    {
        var target = context.Broken;
        var cidr = ScenarioContext.CidrOf(target);
        var verdict = new Verdict("d", $"config change: {cidr} private -> clear on every host");
        var capture = await context.Guest.StartCaptureAsync("d-config", cancellationToken);

        var started = context.Time.GetUtcNow();
        var (rolledOut, reachedAfter) = await context.RollOutTimedAsync(context.Policy.Move(cidr, "private", "clear"), TimeSpan.FromMinutes(5), cancellationToken);
        verdict.Expect(rolledOut, "the new config hash did not reach every host");
        verdict.Figure($"rolled out in {(context.Time.GetUtcNow() - started).TotalSeconds:0.0}s");
        // The suite's waves are a canary, then the rest once it has run the config for RolloutWaveSoak.
        verdict.Figure("hosts on the new config after " + string.Join(", ", reachedAfter.OrderBy(s => s.Value).Select(s => $"{s.Key.Name} {s.Value:0.0}s")));

        foreach (var host in context.Mesh)
        {
            var seconds = await context.Guest.ReachAsync(host, target, TimeSpan.FromSeconds(20), cancellationToken);
            verdict.Expect(seconds is not null, $"{host.Name} cannot reach {target.Name} in clear");
        }
        var packets = await context.Guest.StopCaptureAsync(capture, cancellationToken);
        foreach (var host in context.Mesh)
        {
            var clear = packets.Count(p => p.Kind == PacketKind.Icmp && p.Source == host.Address && p.Destination == target.Address);
            var ike = packets.Count(p => p.Kind == PacketKind.Ike && p.Between(host.Address, target.Address));
            verdict.Expect(clear > 0 && ike == 0, $"{host.Name} -> {target.Name}: {clear} clear ICMP, {ike} IKE packets");
        }
        var mesh = WireTally.Among(packets, context.Mesh.Select(h => h.Address).ToArray());
        verdict.Expect(mesh.Cleartext == 0, $"{mesh.Cleartext} cleartext packets inside the mesh");
        verdict.Figure($"mesh wire {mesh}");
        // The broken host, still failing and retried, is now refused before any install: the policy leaves it in clear.
        var coverage = $"address {target.Address} is in the clear group ({cidr}), in no mesh policy group";
        var refused = await context.WaitForAsync(() => context.Tag(target, MeshTags.Status).Contains(coverage, StringComparison.Ordinal), TimeSpan.FromMinutes(3), cancellationToken);
        verdict.Expect(refused, $"{target.Name}'s status is \"{context.Tag(target, MeshTags.Status)}\", not the policy's coverage");
        return verdict.Outcome();
    }
}
