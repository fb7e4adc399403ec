using IpsecMesh.HostAgent.Protocol;
using IpsecMesh.Integration.Tests.Support;
using IpsecMesh.Simulator;

namespace IpsecMesh.Integration.Tests.Revocation;

/// <summary>
/// Revocation reaches the hosts: the CRLs travel with the config, whose hash covers them, so a
/// revocation rolls out to every enabled host like a policy change, and nothing is sent when
/// nothing changed.
/// </summary>
public class CrlRolloutTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Revoking_one_instance_sends_the_new_crl_to_the_others_and_a_quiet_fleet_gets_nothing()
    {
        await using var mesh = new MeshFixture(settings: new Dictionary<string, string?> { ["IpsecMesh:ResyncInterval"] = "00:02:00" });
        var instances = new[] { mesh.Launch(), mesh.Launch(), mesh.Launch() };
        await mesh.StartControllerAsync(Token);
        foreach (var instance in instances) await mesh.WaitForTagAsync(instance, "enabled");

        // Enrolled hosts already hold the CA's current CRL (an empty one the controller published).
        var crlKey = Assert.Single(mesh.Aws.ListKeys("issued/crl/"));
        var caId = crlKey["issued/crl/".Length..^".crl".Length];
        var firstCrl = mesh.Aws.ReadObject(crlKey)!;
        foreach (var instance in instances) Assert.Equal(firstCrl, Host(instance).State.Crls[caId]);
        var firstConfig = instances[1].Tag("IPSec:Config");

        mesh.Aws.Fleet.SetTag(instances[0].InstanceId, MeshFixture.TagKey, "off");
        await mesh.WaitForTagAsync(instances[0], "disabled");
        var revokedCrl = mesh.Aws.ReadObject(crlKey)!;
        Assert.NotEqual(firstCrl, revokedCrl);

        foreach (var peer in instances[1..])
        {
            await mesh.WaitForAsync(() => Host(peer).State.Crls.TryGetValue(caId, out var held) && held.AsSpan().SequenceEqual(revokedCrl),
                $"{peer.InstanceId} to hold the new CRL");
            await mesh.WaitForAsync(() => peer.Tag("IPSec:Config") == Host(peer).State.ConfigHash && peer.Tag(MeshFixture.TagKey) == "enabled",
                $"{peer.InstanceId} to be enabled on the new config");
            Assert.NotEqual(firstConfig, peer.Tag("IPSec:Config"));
            // With the CRL came the opted-out host's addresses: the peer tore down its SAs with them, and with nothing else.
            Assert.Equal(instances[0].AllPrivateIps.Order(StringComparer.Ordinal), Host(peer).State.CutPeers.Order(StringComparer.Ordinal));
            Assert.Equal(1, Host(peer).State.VerbCounts.GetValueOrDefault(AgentVerbs.ApplyConfig));
            Assert.Equal(1, Host(peer).State.VerbCounts.GetValueOrDefault(AgentVerbs.Csr));
        }

        // Converged: several resyncs and config polls later, no command went out.
        var sent = mesh.Calls("ssm:SendCommand");
        await Task.Delay(TimeSpan.FromMinutes(7), mesh.Time, Token);
        Assert.Equal(sent, mesh.Calls("ssm:SendCommand"));
        foreach (var peer in instances[1..]) Assert.Equal(1, Host(peer).State.VerbCounts.GetValueOrDefault(AgentVerbs.ApplyConfig));
    }

    private static VirtualHost Host(SimInstance instance) => Assert.IsType<VirtualHost>(instance.Runtime);
}
