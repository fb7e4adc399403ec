using System.Globalization;
using System.Text.RegularExpressions;
using IpsecMesh.EndToEnd.Guest;
using IpsecMesh.EndToEnd.Wire;

namespace IpsecMesh.EndToEnd.Scenarios;

/// <summary>
/// m. A managed-service peer (a guest host without agent or instance, in the VPC's range, registered in the simulator
/// as a network load balancer's interface) is reached in clear at once under the shipped default policy (the VPC
/// private-or-clear, its resolver clear): the controller put its address into the generated clear group, so the first
/// ping from a mesh host is answered within 1 s and no IKE packet goes to it (no opportunistic negotiation, no stall of
/// retransmit-timeout). The policy in force before is put back at the end. The suite uses the host whose install was
/// made to fail (f, d): its instance is terminated first, so its address belongs to no instance, as a load balancer
/// node's would.
/// </summary>
public static partial class ManagedPeerScenario
{
    /// <summary>The first ping's round trip must stay under this (a negotiation attempt would hold it for retransmit-timeout).</summary>
    public static readonly TimeSpan FirstPingTarget = TimeSpan.FromSeconds(1);

    /// <param name="managedPeer">A guest host not in the mesh (its instance is terminated here), on an address in the mesh hosts' VPC (10.99.0.0/24).</param>
    /// <param name="vpcCidr">The mesh hosts' VPC (GuestFleet's 10.99.0.0/24).</param>
    public static async Task<ScenarioOutcome> RunAsync(ScenarioContext context, GuestHost managedPeer, string vpcCidr, CancellationToken cancellationToken)
    {
        var verdict = new Verdict("m", "managed-service peer: clear at once under the shipped default policy, no IKE");
        var before = context.Policy;
        context.Cloud.Terminate(managedPeer);
        var eni = context.Cloud.RegisterManagedInterface(managedPeer, "network_load_balancer", "ELB net/e2e/0123456789abcdef");
        // The shipped default's shape for this VPC: the whole VPC private-or-clear, its resolver clear, nothing private.
        var resolver = ResolverOf(vpcCidr);
        var shipped = new Cloud.MeshPolicy(new Dictionary<string, string>(before.Files, StringComparer.Ordinal)
        {
            ["private"] = "# private: written by the end-to-end suite\n",
            ["block"] = "# block: written by the end-to-end suite\n",
            ["clear-or-private"] = "# clear-or-private: written by the end-to-end suite\n",
            ["clear"] = $"# clear: written by the end-to-end suite\n{resolver}\n",
            ["private-or-clear"] = $"# private-or-clear: written by the end-to-end suite\n{vpcCidr}\n",
        });
        var rolledOut = await context.RollOutAsync(shipped, TimeSpan.FromMinutes(5), cancellationToken);
        verdict.Expect(rolledOut, $"the shipped default shape ({vpcCidr} private-or-clear) did not roll out to every host");

        // Every mesh host runs a config whose clear group holds the peer (the controller's generated entry).
        var hostRoute = managedPeer.Address + "/32";
        var cleared = await EveryHostClearsAsync(context, hostRoute, TimeSpan.FromMinutes(5), cancellationToken);
        verdict.Expect(cleared, $"{hostRoute} ({eni}) never reached every mesh host's clear group");

        var from = context.Mesh[2];
        var capture = await context.Guest.StartCaptureAsync("m-managed-peer", cancellationToken);
        var first = await context.Guest.OnHostAsync(from, $"ping -n -c 1 -W 5 {managedPeer.Address}\n", cancellationToken);
        var packets = await context.Guest.StopCaptureAsync(capture, cancellationToken);

        var rtt = RoundTripOf(first.Stdout);
        verdict.Expect(first.Succeeded && rtt is not null, $"{from.Name} -> {managedPeer.Name}: the first ping was not answered ({first.Stdout.Trim()})");
        verdict.Expect(rtt is { } ms && ms < FirstPingTarget.TotalMilliseconds,
            $"first ping {from.Name} -> {managedPeer.Name} took {rtt?.ToString("0.0", CultureInfo.InvariantCulture) ?? "-"} ms (target {FirstPingTarget.TotalMilliseconds:0} ms)");
        var ike = packets.Count(p => p.Kind == PacketKind.Ike && p.Between(from.Address, managedPeer.Address));
        var icmp = packets.Count(p => p.Kind == PacketKind.Icmp && p.Between(from.Address, managedPeer.Address));
        verdict.Expect(ike == 0, $"{ike} IKE packets between {from.Name} and the managed peer");
        verdict.Expect(icmp > 0, $"no cleartext ICMP between {from.Name} and the managed peer on the bridge");
        verdict.Figure($"first ping to managed peer {rtt?.ToString("0.00", CultureInfo.InvariantCulture) ?? "-"} ms, IKE {ike}, ICMP {icmp}");

        var restored = await context.RollOutAsync(before, TimeSpan.FromMinutes(5), cancellationToken);
        verdict.Expect(restored, "the policy in force before did not roll out again");
        return verdict.Outcome();
    }

    /// <summary>Polls each mesh host's rendered clear group until all list <paramref name="hostRoute"/>; false after <paramref name="timeout"/>.</summary>
    private static async Task<bool> EveryHostClearsAsync(ScenarioContext context, string hostRoute, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = context.Time.GetUtcNow() + timeout;
        while (context.Time.GetUtcNow() < deadline)
        {
            var listed = 0;
            foreach (var host in context.Mesh)
                if ((await context.Guest.OnHostAsync(host, $"grep -qx '{hostRoute}' /etc/ipsec.d/policies/clear\n", cancellationToken)).Succeeded) listed++;
            if (listed == context.Mesh.Count) return true;
            await Task.Delay(TimeSpan.FromSeconds(5), context.Time, cancellationToken);
        }
        return false;
    }

    /// <summary>The "time=0.42 ms" of ping's reply line, in milliseconds; null without a reply.</summary>
    public static double? RoundTripOf(string pingOutput) =>
        RoundTrip().Match(pingOutput) is { Success: true } m ? double.Parse(m.Groups["ms"].Value, CultureInfo.InvariantCulture) : null;

    private static string ResolverOf(string vpcCidr)
    {
        var octets = vpcCidr.Split('/')[0].Split('.').Select(int.Parse).ToArray();
        return $"{octets[0]}.{octets[1]}.{octets[2]}.{octets[3] + 2}/32";
    }

    [GeneratedRegex(@"time=(?<ms>[0-9.]+) ms")]
    private static partial Regex RoundTrip();
}
