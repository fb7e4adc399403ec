using IpsecMesh.EndToEnd.Wire;

namespace IpsecMesh.EndToEnd.Scenarios;

/// <summary>
/// b. A host not in the mesh is unreachable under private (before it ever enrols, scenario g) and reached in clear
/// once its range is private-or-clear (after it has left the mesh again, scenario r).
/// </summary>
public static class UnenrolledPeerScenario
{
    public static async Task<ScenarioOutcome> UnderPrivateAsync(ScenarioContext context, CancellationToken cancellationToken)
    {
        var verdict = new Verdict("b", "un-enrolled host: unreachable under private");
        var outsider = context.Outsider;
        var blockedFrom = context.Mesh[1];
        var capture = await context.Guest.StartCaptureAsync("b-unenrolled", cancellationToken);
        var underPrivate = await context.Guest.PingAsync(blockedFrom, outsider, 4, cancellationToken);
        verdict.Expect(underPrivate.Transmitted > 0 && underPrivate.Received == 0,
            $"{blockedFrom.Name} -> {outsider.Name} under private: {underPrivate.Received}/{underPrivate.Transmitted} answered");
        var packets = await context.Guest.StopCaptureAsync(capture, cancellationToken);
        var fromBlocked = packets.Count(p => p.IsCleartext && p.Between(blockedFrom.Address, outsider.Address));
        verdict.Expect(fromBlocked == 0, $"{fromBlocked} cleartext packets between {blockedFrom.Name} and {outsider.Name} under private");
        return verdict.Outcome();
    }

    public static async Task<ScenarioOutcome> UnderPrivateOrClearAsync(ScenarioContext context, CancellationToken cancellationToken)
    {
        var verdict = new Verdict("b2", "host out of the mesh: reached in clear under private-or-clear");
        var outsider = context.Outsider;
        // A host that never negotiated with the outsider (g and r used the other two): no failure shunt in the way.
        var clearFrom = context.Mesh[2];
        var capture = await context.Guest.StartCaptureAsync("b2-private-or-clear", cancellationToken);
        var cidr = ScenarioContext.CidrOf(outsider);
        var rolledOut = await context.RollOutAsync(context.Policy.Move(cidr, "private", "private-or-clear"), TimeSpan.FromMinutes(5), cancellationToken);
        verdict.Expect(rolledOut, $"moving {cidr} to private-or-clear did not roll out to every host");
        var seconds = await context.Guest.ReachAsync(clearFrom, outsider, TimeSpan.FromSeconds(45), cancellationToken);
        verdict.Expect(seconds is not null, $"{clearFrom.Name} cannot reach {outsider.Name} under private-or-clear");
        verdict.Figure($"clear fallback {clearFrom.Name}->{outsider.Name} after {seconds?.ToString("0.0") ?? "-"}s");

        var packets = await context.Guest.StopCaptureAsync(capture, cancellationToken);
        var inClear = packets.Count(p => p.Kind == PacketKind.Icmp && p.Between(clearFrom.Address, outsider.Address));
        verdict.Expect(inClear > 0, $"no cleartext ICMP between {clearFrom.Name} and {outsider.Name}");
        var mesh = WireTally.Among(packets, context.Mesh.Select(h => h.Address).ToArray());
        verdict.Expect(mesh.Cleartext == 0, $"{mesh.Cleartext} cleartext packets inside the mesh");
        verdict.Figure($"clear ICMP to outsider={inClear}, mesh wire {mesh}");
        return verdict.Outcome();
    }
}
