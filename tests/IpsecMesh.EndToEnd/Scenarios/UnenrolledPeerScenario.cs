using IpsecMesh.EndToEnd.Wire;

namespace IpsecMesh.EndToEnd.Scenarios;

/// <summary>b. A host not in the mesh is unreachable under private and reached in clear once it is private-or-clear.</summary>
public static class UnenrolledPeerScenario
{
    public static async Task<ScenarioOutcome> RunAsync(ScenarioContext context, CancellationToken cancellationToken)
    {
        var verdict = new Verdict("b", "un-enrolled host: unreachable under private, clear under private-or-clear");
        var outsider = context.Outsider;
        var (blockedFrom, clearFrom) = (context.Mesh[1], context.Mesh[0]);
        var capture = await context.Guest.StartCaptureAsync("b-unenrolled", cancellationToken);

        var underPrivate = await context.Guest.PingAsync(blockedFrom, outsider, 4, cancellationToken);
        verdict.Expect(underPrivate.Transmitted > 0 && underPrivate.Received == 0,
            $"{blockedFrom.Name} -> {outsider.Name} under private: {underPrivate.Received}/{underPrivate.Transmitted} answered");

        var cidr = ScenarioContext.CidrOf(outsider);
        var rolledOut = await context.RollOutAsync(context.Policy.Move(cidr, "private", "private-or-clear"), TimeSpan.FromMinutes(5), cancellationToken);
        verdict.Expect(rolledOut, $"moving {cidr} to private-or-clear did not roll out to every host");
        // A host that already failed a negotiation keeps a drop shunt for a while, so the clear
        // fallback is tried from a host that never contacted the outsider.
        var seconds = await context.Guest.ReachAsync(clearFrom, outsider, TimeSpan.FromSeconds(45), cancellationToken);
        verdict.Expect(seconds is not null, $"{clearFrom.Name} cannot reach {outsider.Name} under private-or-clear");
        verdict.Figure($"clear fallback {clearFrom.Name}->{outsider.Name} after {seconds?.ToString("0.0") ?? "-"}s");

        var packets = await context.Guest.StopCaptureAsync(capture, cancellationToken);
        var fromBlocked = packets.Count(p => p.IsCleartext && p.Between(blockedFrom.Address, outsider.Address));
        var inClear = packets.Count(p => p.Kind == PacketKind.Icmp && p.Between(clearFrom.Address, outsider.Address));
        verdict.Expect(fromBlocked == 0, $"{fromBlocked} cleartext packets between {blockedFrom.Name} and {outsider.Name} under private");
        verdict.Expect(inClear > 0, $"no cleartext ICMP between {clearFrom.Name} and {outsider.Name}");
        var mesh = WireTally.Among(packets, context.Mesh.Select(h => h.Address).ToArray());
        verdict.Expect(mesh.Cleartext == 0, $"{mesh.Cleartext} cleartext packets inside the mesh");
        verdict.Figure($"clear ICMP to outsider={inClear}, mesh wire {mesh}");
        return verdict.Outcome();
    }
}
