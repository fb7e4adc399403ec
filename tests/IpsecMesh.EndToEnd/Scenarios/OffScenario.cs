using IpsecMesh.EndToEnd.Cloud;
using IpsecMesh.EndToEnd.Wire;

namespace IpsecMesh.EndToEnd.Scenarios;

/// <summary>e. off -> uninstall -> disabled; peers then treat it as the policy says (private: unreachable, never in clear).</summary>
public static class OffScenario
{
    public static async Task<ScenarioOutcome> RunAsync(ScenarioContext context, CancellationToken cancellationToken)
    {
        var leaving = context.Mesh[2];
        var staying = context.Mesh.Take(2).ToArray();
        var verdict = new Verdict("e", $"{leaving.Name} off -> disabled, peers follow policy (private)");
        var capture = await context.Guest.StartCaptureAsync("e-off", cancellationToken);

        var started = context.Time.GetUtcNow();
        context.Cloud.SetMeshTag(leaving, MeshTags.Off);
        var disabled = await context.WaitForAsync(() => context.Tag(leaving, MeshTags.Key) == MeshTags.Disabled, TimeSpan.FromMinutes(5), cancellationToken);
        verdict.Expect(disabled, $"{leaving.Name} is '{context.Tag(leaving, MeshTags.Key)}', not disabled");
        verdict.Figure($"disabled after {(context.Time.GetUtcNow() - started).TotalSeconds:0.0}s");

        var pluto = await context.Guest.OnHostAsync(leaving, "ipsec whack --status >/dev/null 2>&1 && echo running || echo stopped\n", cancellationToken);
        verdict.Expect(pluto.Stdout.Trim() == "stopped", $"pluto still answers on {leaving.Name}");
        foreach (var host in staying)
        {
            var ping = await context.Guest.PingAsync(host, leaving, 4, cancellationToken);
            verdict.Expect(ping.Received == 0, $"{host.Name} reached {leaving.Name} although it is private and no longer in the mesh");
        }
        verdict.Expect(await context.Guest.ReachAsync(staying[0], staying[1], TimeSpan.FromSeconds(30), cancellationToken) is not null,
            $"{staying[0].Name} cannot reach {staying[1].Name} any more");

        var packets = await context.Guest.StopCaptureAsync(capture, cancellationToken);
        var leak = packets.Count(p => p.IsCleartext && staying.Any(h => p.Between(h.Address, leaving.Address)));
        verdict.Expect(leak == 0, $"{leak} cleartext packets between the mesh and {leaving.Name}");
        var remaining = WireTally.Among(packets, staying.Select(h => h.Address).ToArray());
        verdict.Expect(remaining.Cleartext == 0 && remaining.Esp > 0, $"between remaining peers: {remaining}");
        verdict.Figure($"remaining mesh wire {remaining}");
        return verdict.Outcome();
    }
}
