using System.Net;
using System.Text;
using IpsecMesh.Core.Agents;
using IpsecMesh.EndToEnd.Cloud;
using IpsecMesh.EndToEnd.Wire;
using IpsecMesh.HostAgent.Protocol;
using IpsecMesh.Pki;

namespace IpsecMesh.EndToEnd.Scenarios;

/// <summary>
/// i. A mesh certificate authenticates only the addresses in its SAN: root on an enrolled host makes a key, gets it
/// signed by the mesh CA for another address (as a stolen certificate of another instance would be) and installs
/// it; its peers, under <c>private</c>, must refuse it (pluto: subjectAltName does not match the peer's
/// ID_IPV4_ADDR), so nothing flows, encrypted or clear. Then the team sets todo: the controller sees a certificate it
/// did not issue to that instance, issues a new one, and the peers reach the host again.
/// </summary>
public static class ImpersonationScenario
{
    /// <summary>An address no host holds: the SAN of the impostor certificate.</summary>
    private const string ForeignAddress = "10.99.0.250";

    public static async Task<ScenarioOutcome> RunAsync(ScenarioContext context, CancellationToken cancellationToken)
    {
        var impostor = context.Mesh[2];
        var peers = context.Mesh.Take(2).ToArray();
        var verdict = new Verdict("i", $"impersonation: {impostor.Name} presents a mesh certificate for {ForeignAddress}; its peers refuse it, todo repairs it");
        foreach (var peer in peers)
            verdict.Expect(await context.Guest.ReachAsync(peer, impostor, SuitePolicy.ShuntHealTimeout, cancellationToken) is not null,
                $"{peer.Name} cannot reach {impostor.Name} before the test");

        // Root on the host: a new key and its CSR (the agent's own csr verb), signed for an address that is not the host's.
        var hostKeyType = context.Controller.Service<Microsoft.Extensions.Options.IOptions<Core.Options.IpsecMeshOptions>>().Value.HostKeyType;
        var csr = await context.Guest.RunAgentAsync(impostor,
            AgentRequest.For(AgentVerbs.Csr, new Dictionary<string, string>(StringComparer.Ordinal) { ["keyType"] = hostKeyType }), cancellationToken);
        verdict.Expect(csr.Ok && csr.GetString("csr") is not null, $"{impostor.Name}: csr failed: {csr.Error}");
        if (!csr.Ok || csr.GetString("csr") is not { } request) return verdict.Outcome();
        var ca = context.Controller.Service<IMeshCertificateAuthority>();
        var stolen = await ca.SignCsrAsync(Convert.FromBase64String(request),
            new HostIdentity("i-e2e0impostor00000", "arn:aws:ec2:us-east-1:000000000000:instance/i-e2e0impostor00000", "ip-10-99-0-250.ec2.internal", [], [IPAddress.Parse(ForeignAddress)]),
            "e2e impersonation", cancellationToken);
        var bundle = await ca.GetTrustBundleAsync(cancellationToken);
        var installed = await context.Guest.RunAgentAsync(impostor, AgentRequests.InstallCert(stolen.CertificatePem, bundle), cancellationToken);
        verdict.Expect(installed.Ok, $"{impostor.Name}: install-cert of the foreign certificate failed: {installed.Error}");
        // SAs set up with the host's own certificate would carry on: end them, as an attacker taking over would.
        var cut = new StringBuilder();
        foreach (var peer in peers) cut.Append($"ipsec whack --deleteid --name {peer.Address} >/dev/null 2>&1 || true\n");
        await context.Guest.OnHostAsync(impostor, cut.ToString(), cancellationToken);
        await Task.Delay(TimeSpan.FromSeconds(3), context.Time, cancellationToken);

        var capture = await context.Guest.StartCaptureAsync("i-impersonation", cancellationToken);
        var refusedFrom = new List<string>();
        foreach (var peer in peers)
        {
            var ping = await context.Guest.PingAsync(peer, impostor, 10, cancellationToken);
            verdict.Expect(ping.Transmitted > 0 && ping.Received == 0,
                $"{peer.Name} -> {impostor.Name} with the foreign certificate: {ping.Received}/{ping.Transmitted} answered");
            var refusal = await context.Guest.PlutoLogAsync(peer, $"subjectAltName extension does not match ID_IPV4_ADDR '{impostor.Address.Replace(".", "\\.", StringComparison.Ordinal)}'", cancellationToken);
            if (refusal.Count > 0) refusedFrom.Add(peer.Name);
        }
        var packets = await context.Guest.StopCaptureAsync(capture, cancellationToken);
        var esp = packets.Count(p => p.Kind == PacketKind.Esp && peers.Any(peer => p.Between(peer.Address, impostor.Address)));
        var clear = packets.Count(p => p.IsCleartext && peers.Any(peer => p.Between(peer.Address, impostor.Address)));
        verdict.Expect(esp == 0, $"{esp} ESP packets between {impostor.Name} and its peers: the foreign certificate authenticated");
        verdict.Expect(clear == 0, $"{clear} cleartext packets between {impostor.Name} and its peers under private");
        verdict.Expect(refusedFrom.Count == peers.Length, $"pluto logged the SAN mismatch on {refusedFrom.Count} of {peers.Length} peers");
        verdict.Figure($"refused by {string.Join(", ", refusedFrom)} (subjectAltName does not match ID_IPV4_ADDR '{impostor.Address}')");

        // Repair: todo makes the controller compare the certificate the host presents with the one it issued.
        var todo = context.Time.GetUtcNow();
        context.Cloud.SetMeshTag(impostor, MeshTags.Todo);
        var enabled = await context.WaitForAsync(() => context.Tag(impostor, MeshTags.Key) == MeshTags.Enabled, TimeSpan.FromMinutes(8), cancellationToken);
        verdict.Expect(enabled, $"{impostor.Name} is '{context.Tag(impostor, MeshTags.Key)}' after todo, not enabled");
        var commands = await context.Cloud.CommandsOfAsync(impostor, cancellationToken);
        var reissued = commands.Any(c => c.Requested >= todo && c.Comment.Contains(AgentVerbs.InstallCert, StringComparison.Ordinal));
        verdict.Expect(reissued, $"the controller did not install a new certificate on {impostor.Name} after todo");
        foreach (var peer in peers)
        {
            var seconds = await context.Guest.ReachAsync(peer, impostor, SuitePolicy.ShuntHealTimeout, cancellationToken);
            verdict.Expect(seconds is not null, $"{peer.Name} cannot reach {impostor.Name} after the repair");
            verdict.Figure($"{peer.Name}->{impostor.Name} after repair {seconds?.ToString("0.0") ?? "-"}s");
        }
        verdict.Figure($"todo->enabled {(context.Time.GetUtcNow() - todo).TotalSeconds:0}s");
        return verdict.Outcome();
    }
}
