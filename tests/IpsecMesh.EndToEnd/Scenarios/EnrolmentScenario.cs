using IpsecMesh.EndToEnd.Cloud;
using IpsecMesh.EndToEnd.Wire;

namespace IpsecMesh.EndToEnd.Scenarios;

/// <summary>a. Three hosts tagged todo become enabled and reach each other over ESP only.</summary>
public static class EnrolmentScenario
{
    private static readonly TimeSpan EnrolTimeout = TimeSpan.FromMinutes(8);
    private static readonly TimeSpan StatusTimeout = TimeSpan.FromMinutes(3);

    /// <param name="alsoTag">Hosts tagged todo at the same moment for other scenarios (f), so they overlap in time.</param>
    public static async Task<ScenarioOutcome> RunAsync(ScenarioContext context, IEnumerable<Guest.GuestHost> alsoTag, CancellationToken cancellationToken)
    {
        var verdict = new Verdict("a", "three hosts todo -> enabled, full mesh over ESP");
        var mesh = context.Mesh;
        var capture = await context.Guest.StartCaptureAsync("a-enrolment", cancellationToken);
        // A ring of pingers: each host sends one ping a second to the next, so the first ESP packet a
        // host sends marks its first encrypted ping.
        for (var i = 0; i < mesh.Count; i++)
            await context.Guest.StartPingerAsync($"a-{mesh[i].Name}", mesh[i], mesh[(i + 1) % mesh.Count], TimeSpan.FromSeconds(1), cancellationToken);

        var tagged = context.Time.GetUtcNow();
        foreach (var host in mesh.Concat(alsoTag)) context.Cloud.SetMeshTag(host, MeshTags.Todo);
        var enabledAt = new Dictionary<Guest.GuestHost, DateTimeOffset>();
        var enabled = await context.WaitForAsync(() =>
        {
            foreach (var h in mesh.Where(h => !enabledAt.ContainsKey(h) && context.Tag(h, MeshTags.Key) == MeshTags.Enabled)) enabledAt[h] = context.Time.GetUtcNow();
            return enabledAt.Count == mesh.Count;
        }, EnrolTimeout, cancellationToken);
        var allEnabledAt = context.Time.GetUtcNow();
        verdict.Expect(enabled, "not every host reached enabled: " + string.Join(" ", mesh.Select(h => $"{h.Name}={context.Tag(h, MeshTags.Key)}")));
        verdict.Figure($"all enabled after {(allEnabledAt - tagged).TotalSeconds:0.0}s");

        // Each host initiates to the peers enabled when its command was sent, which replaces the failure shunts of
        // peers that pinged it before it enrolled (scenario g asserts 10 s for that). Hosts enrolling at the same time
        // are not enabled for each other's commands, so a pair of them may wait out a failure shunt from the ring
        // pingers (README, Known gaps): every pair, probed at once from the moment all are enabled, must answer within
        // the shunt's lifetime and a negotiation; the time against the late-peer target is printed.
        var probes = context.MeshPairs().Select(pair => (pair.From, pair.To,
            Seconds: context.Guest.ReachAsync(pair.From, pair.To, SuitePolicy.ShuntHealTimeout, cancellationToken))).ToList();
        await Task.WhenAll(probes.Select(p => p.Seconds));
        var reach = new List<string>();
        foreach (var (from, to, probe) in probes)
        {
            var seconds = await probe;
            verdict.Expect(seconds is not null, $"{from.Name} cannot reach {to.Name} within {SuitePolicy.ShuntHealTimeout.TotalSeconds:0}s of all being enabled");
            reach.Add($"{from.Name}->{to.Name} {seconds?.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture) ?? "-"}s");
        }
        var slow = probes.Count(p => p.Seconds.Result is not { } t || t > SuitePolicy.LatePeerTarget.TotalSeconds);
        verdict.Figure($"{slow} of {probes.Count} directions over the {SuitePolicy.LatePeerTarget.TotalSeconds:0}s late-peer target (co-enrolled hosts: README, Known gaps)");
        verdict.Figure("reach after all enabled " + string.Join(", ", reach));
        foreach (var host in mesh.Where(enabledAt.ContainsKey))
        {
            var (commands, controller) = await EnrolmentLatency.MeasureAsync(context, host, tagged, enabledAt[host], cancellationToken);
            verdict.Figure($"{host.Name} todo->enabled {(enabledAt[host] - tagged).TotalSeconds:0.0}s = SSM commands {commands.TotalSeconds:0.0}s + controller {controller.TotalSeconds:0.0}s");
            verdict.Expect(controller <= EnrolmentLatency.Target, $"{host.Name}: {controller.TotalSeconds:0.0}s of controller latency, over {EnrolmentLatency.Target.TotalSeconds:0}s");
        }
        foreach (var host in mesh) await context.Guest.StopPingerAsync($"a-{host.Name}", cancellationToken);
        var packets = await context.Guest.StopCaptureAsync(capture, cancellationToken);

        foreach (var host in mesh)
        {
            var firstEsp = packets.FirstOrDefault(p => p.Kind == PacketKind.Esp && p.Source == host.Address);
            verdict.Expect(firstEsp is not null, $"no ESP ever left {host.Name}");
            if (firstEsp is not null)
                verdict.Figure($"{host.Name} todo->first encrypted ping {(context.ToLocalTime(firstEsp.Timestamp) - tagged).TotalSeconds:0.0}s");
        }
        var addresses = mesh.Select(h => h.Address).ToArray();
        var meshTraffic = packets.Where(p => context.ToLocalTime(p.Timestamp) >= allEnabledAt);
        var tally = WireTally.Among(meshTraffic, addresses);
        verdict.Expect(tally.Cleartext == 0, $"{tally.Cleartext} cleartext packets between enabled hosts");
        verdict.Expect(tally.Esp > 0, "no ESP between enabled hosts");
        verdict.Figure($"wire after enabled: {tally}");

        // The controller collects the agent's status verb from every enabled host (SSM Targets by tag).
        var reported = await context.WaitForAsync(() => mesh.All(h => context.HealthOf(h) is { IpsecSas: > 0 }), StatusTimeout, cancellationToken);
        verdict.Expect(reported, "status shows no IPsec SA on " + string.Join(" ", mesh.Where(h => context.HealthOf(h) is not { IpsecSas: > 0 }).Select(h => h.Name)));
        foreach (var host in mesh)
            verdict.Figure(context.HealthOf(host) is { } health
                ? $"{host.Name} status ipsecSAs={health.IpsecSas} ikeSAs={health.IkeSas} ikeFailures={health.IkeFailures} oeFailedShunts={health.Shunts.GetValueOrDefault("oeFailed")}"
                : $"{host.Name} status none");
        return verdict.Outcome();
    }
}
