using IpsecMesh.Integration.Tests.Chaos;
using IpsecMesh.Integration.Tests.Support;
using IpsecMesh.Simulator;

namespace IpsecMesh.Integration.Tests.Revocation;

/// <summary>
/// An instance whose addresses changed gets a new certificate, and the old one is revoked, so an address it lost
/// cannot be claimed with the certificate that named it. The revocation reaches the other hosts with the CRL.
/// </summary>
public class SupersededCertificateTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_changed_address_set_revokes_the_instances_previous_certificate_and_the_peers_load_that_crl()
    {
        await using var mesh = new MeshFixture(settings: new Dictionary<string, string?> { ["IpsecMesh:ResyncInterval"] = "00:02:00" });
        var moving = mesh.Launch();
        var peer = mesh.Launch();
        await mesh.StartControllerAsync(Token);
        await mesh.WaitForTagAsync(moving, "enabled");
        await mesh.WaitForTagAsync(peer, "enabled");
        var first = Assert.Single(Issued(mesh, moving));
        var peerCertificate = Assert.Single(Issued(mesh, peer));

        mesh.Aws.Fleet.AddPrivateIp(moving.InstanceId);
        await mesh.WaitForAsync(() => Issued(mesh, moving).Count == 2, $"a new certificate for {moving.InstanceId}'s new address");
        await mesh.WaitForAsync(() => FleetAudit.RevokedSerials(mesh.Aws).Contains(FleetAudit.SerialOf(first)), "the superseded certificate on the CRL");
        var crlKey = Assert.Single(mesh.Aws.ListKeys("issued/crl/"));
        var crl = mesh.Aws.ReadObject(crlKey)!;
        var caId = crlKey["issued/crl/".Length..^".crl".Length];
        await mesh.WaitForAsync(() => Host(peer).State.Crls.TryGetValue(caId, out var held) && held.AsSpan().SequenceEqual(crl), $"{peer.InstanceId} to hold that CRL");

        var revoked = FleetAudit.RevokedSerials(mesh.Aws);
        Assert.DoesNotContain(FleetAudit.SerialOf(Issued(mesh, moving).Single(key => key != first)), revoked);
        Assert.DoesNotContain(FleetAudit.SerialOf(peerCertificate), revoked);
    }

    private static List<string> Issued(MeshFixture mesh, SimInstance instance) =>
        [.. FleetAudit.IssuedCertificates(mesh.Aws).Where(key => FleetAudit.InstanceOf(key) == instance.InstanceId)];

    private static VirtualHost Host(SimInstance instance) => Assert.IsType<VirtualHost>(instance.Runtime);
}
