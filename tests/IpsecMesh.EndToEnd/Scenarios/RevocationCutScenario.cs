using IpsecMesh.EndToEnd.Cloud;
using IpsecMesh.EndToEnd.Wire;

namespace IpsecMesh.EndToEnd.Scenarios;

/// <summary>
/// r. Revocation cuts live SAs, whatever the revoked host does: a host and a peer exchange pings over
/// ESP; the host's root stops its SSM agent and the team sets off. The controller revokes at once; the
/// new CRL reaches the peer, which must tear down its SAs with the host within 30 s of that and refuse
/// its new negotiations (nothing in clear under private). Once the agent is back, the host is removed.
/// </summary>
public static class RevocationCutScenario
{
    private static readonly TimeSpan PingInterval = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan CutTarget = TimeSpan.FromSeconds(30);

    public static async Task<ScenarioOutcome> RunAsync(ScenarioContext context, CancellationToken cancellationToken)
    {
        var revoked = context.Outsider;
        var peer = context.Mesh[0];
        var verdict = new Verdict("r", $"revocation cuts: {revoked.Name} off with its SSM agent stopped; {peer.Name} drops its SAs within 30 s of the CRL");
        verdict.Expect(await context.Guest.ReachAsync(peer, revoked, TimeSpan.FromSeconds(30), cancellationToken) is not null, $"{peer.Name} cannot reach {revoked.Name} before the test");
        var capture = await context.Guest.StartCaptureAsync("r-revocation", cancellationToken);
        var pairs = new[] { (From: peer, To: revoked), (From: revoked, To: peer) };
        await context.Guest.StartPingersAsync("r", pairs, PingInterval, cancellationToken);
        await context.Guest.StartSaWatchAsync("r", peer, revoked, cancellationToken);
        var configBefore = context.Tag(peer, MeshTags.Config);

        context.Cloud.SetAgentRunning(revoked, running: false);
        var off = context.Time.GetUtcNow();
        context.Cloud.SetMeshTag(revoked, MeshTags.Off);
        // The peer's config hash moves once it has applied the config carrying the new CRL.
        var crlApplied = await context.WaitForAsync(() => context.Tag(peer, MeshTags.Config) is { Length: > 0 } now && now != configBefore,
            TimeSpan.FromMinutes(4), cancellationToken);
        verdict.Expect(crlApplied, $"{peer.Name} never applied the config carrying the new CRL");
        await Task.Delay(TimeSpan.FromSeconds(20), context.Time, cancellationToken);
        var samples = await context.Guest.SaWatchAsync("r", cancellationToken);
        await context.Guest.StopSaWatchAsync("r", cancellationToken);
        await context.Guest.StopPingersAsync("r", pairs, cancellationToken);
        var packets = await context.Guest.StopCaptureAsync(capture, cancellationToken);

        // When the CRL reached the peer: the agent's log line saying it loaded it (whole seconds, the guest's clock).
        var reached = await CrlLoadedAtAsync(context, peer, off, cancellationToken);
        var cut = samples.SkipWhile(s => context.ToLocalTime(s.At) < off || s.Sas > 0).FirstOrDefault();
        var lastWithSa = samples.LastOrDefault(s => s.Sas > 0);
        verdict.Expect(cut != default && (lastWithSa == default || lastWithSa.At < cut.At), $"{peer.Name} still holds SAs with {revoked.Name} ({(samples.Count > 0 ? samples[^1].Sas : 0)} at the end)");
        verdict.Expect(reached is not null, $"{peer.Name}'s agent never logged loading a CRL after the opt-out");
        if (cut != default && reached is { } loaded)
        {
            var afterCrl = context.ToLocalTime(cut.At) - loaded;
            verdict.Figure($"off->CRL loaded on {peer.Name} {(loaded - off).TotalSeconds:0}s, CRL->no SA {afterCrl.TotalSeconds:0.0}s, off->no SA {(context.ToLocalTime(cut.At) - off).TotalSeconds:0.0}s");
            verdict.Expect(afterCrl <= CutTarget, $"{peer.Name} dropped its SAs with {revoked.Name} {afterCrl.TotalSeconds:0.0}s after the CRL reached it, over {CutTarget.TotalSeconds:0}s");
        }
        // After the cut the peer encrypts nothing to the revoked host (its renegotiations are refused) and nothing goes in
        // clear. The revoked host may still send on an SA the peer deleted; the peer drops those.
        var cutAt = cut == default ? DateTimeOffset.MaxValue : context.ToLocalTime(cut.At) + TimeSpan.FromSeconds(2);
        var espAfter = packets.Count(p => p.Kind == PacketKind.Esp && p.Source == peer.Address && p.Destination == revoked.Address && context.ToLocalTime(p.Timestamp) >= cutAt);
        var staleFromRevoked = packets.Count(p => p.Kind == PacketKind.Esp && p.Source == revoked.Address && p.Destination == peer.Address && context.ToLocalTime(p.Timestamp) >= cutAt);
        var clear = packets.Count(p => p.IsCleartext && p.Between(peer.Address, revoked.Address));
        verdict.Expect(espAfter == 0, $"{espAfter} ESP packets from {peer.Name} to {revoked.Name} after the cut: a revoked certificate still authenticates");
        verdict.Expect(clear == 0, $"{clear} cleartext packets between {peer.Name} and {revoked.Name}");
        verdict.Figure($"after the cut: ESP {peer.Name}->{revoked.Name} {espAfter}, {revoked.Name}->{peer.Name} {staleFromRevoked} (dropped)");
        var refusal = await context.Guest.PlutoLogAsync(peer, "REVOKED|revoked", cancellationToken);
        verdict.Figure(refusal.Count > 0 ? $"{peer.Name} pluto: {refusal[^1].Trim()}" : $"{peer.Name} pluto logged no refusal");

        // The host's agent comes back: the uninstall runs and the tag ends disabled.
        context.Cloud.SetAgentRunning(revoked, running: true);
        var disabled = await context.WaitForAsync(() => context.Tag(revoked, MeshTags.Key) == MeshTags.Disabled, TimeSpan.FromMinutes(5), cancellationToken);
        verdict.Expect(disabled, $"{revoked.Name} is '{context.Tag(revoked, MeshTags.Key)}' after its agent returned, not disabled");
        return verdict.Outcome();
    }

    /// <summary>The time of the peer's first agent log line "CRL … loaded" at or after <paramref name="since"/>, on our clock.</summary>
    private static async Task<DateTimeOffset?> CrlLoadedAtAsync(ScenarioContext context, Guest.GuestHost host, DateTimeOffset since, CancellationToken cancellationToken)
    {
        var lines = await context.Guest.OnHostAsync(host, "grep -E 'CRL [0-9]+ of CA [0-9a-f]+ loaded' /var/lib/ipsec-mesh/agent.log | tail -n 20\n", cancellationToken);
        DateTimeOffset? first = null;
        foreach (var line in lines.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var stamp = line.Split(' ', 2)[0];
            if (!DateTimeOffset.TryParse(stamp, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var at)) continue;
            var local = context.ToLocalTime(at);
            // Whole seconds in the log: a line within the second of the opt-out counts.
            if (local >= since - TimeSpan.FromSeconds(1) && (first is null || local < first)) first = local;
        }
        return first;
    }
}
