using IpsecMesh.Integration.Tests.Support;
using IpsecMesh.Simulator;
using IpsecMesh.Simulator.Hosts;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.X509;

namespace IpsecMesh.Integration.Tests.Revocation;

/// <summary>
/// Every path out of the mesh revokes first, within one resync, whatever the host does: a host whose
/// root stops the SSM agent, a stopped instance, a deleted tag or a team writing "disabled" must not
/// keep a valid mesh certificate.
/// </summary>
public class OptOutRevocationTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Off_with_the_agent_stopped_revokes_at_once_and_removes_once_the_agent_returns()
    {
        await using var mesh = Fixture();
        var (instance, serial) = await EnrolAsync(mesh);

        mesh.Aws.Fleet.StopAgent(instance.InstanceId);
        mesh.Aws.Fleet.SetTag(instance.InstanceId, MeshFixture.TagKey, "off");

        await mesh.WaitForAsync(() => Revoked(mesh, serial), $"the certificate {serial} of {instance.InstanceId} to be on the CRL");
        await mesh.WaitForAsync(() => instance.Tag("IPSec:Status") == "certificate revoked; waiting for SSM agent", "the waiting status");
        Assert.Equal("off", instance.Tag(MeshFixture.TagKey));
        Assert.True(Host(instance).State.Installed);

        mesh.Aws.Fleet.StartAgent(instance.InstanceId);
        await mesh.WaitForTagAsync(instance, "disabled");
        Assert.False(Host(instance).State.Installed);
    }

    [Fact]
    public async Task Off_on_a_stopped_instance_revokes_without_waiting_for_it()
    {
        await using var mesh = Fixture();
        var (instance, serial) = await EnrolAsync(mesh);

        mesh.Aws.Fleet.Stop(instance.InstanceId);
        mesh.Aws.Fleet.SetTag(instance.InstanceId, MeshFixture.TagKey, "off");

        await mesh.WaitForAsync(() => Revoked(mesh, serial), "the certificate to be on the CRL");
        await mesh.WaitForAsync(() => instance.Tag("IPSec:Status") == "certificate revoked; instance is stopped; waiting for it to run", "the waiting status");
    }

    [Fact]
    public async Task A_deleted_tag_is_an_opt_out_found_by_the_next_resync()
    {
        // Deleting a tag raises no event for the watched key's value; the resync must find it.
        await using var mesh = Fixture();
        var (instance, serial) = await EnrolAsync(mesh);

        mesh.Aws.Fleet.DeleteTag(instance.InstanceId, MeshFixture.TagKey);

        await mesh.WaitForAsync(() => Revoked(mesh, serial), "the certificate to be on the CRL");
        await mesh.WaitForAsync(() => !Host(instance).State.Installed, "the uninstall");
        await mesh.WaitForAsync(() => instance.Tag("IPSec:Config") is null && instance.Tag("IPSec:Status") is null, "our tags to be gone");
        Assert.Null(instance.Tag(MeshFixture.TagKey));
    }

    [Fact]
    public async Task Disabled_written_by_the_team_revokes_and_removes()
    {
        await using var mesh = Fixture();
        var (instance, serial) = await EnrolAsync(mesh);

        mesh.Aws.Fleet.SetTag(instance.InstanceId, MeshFixture.TagKey, "disabled");

        await mesh.WaitForAsync(() => Revoked(mesh, serial), "the certificate to be on the CRL");
        await mesh.WaitForAsync(() => !Host(instance).State.Installed && instance.Tag("IPSec:Status") == "removed", "the removal");
    }

    [Fact]
    public async Task A_failing_uninstall_is_retried_and_visible_and_the_revocation_stands()
    {
        await using var mesh = Fixture();
        var (instance, serial) = await EnrolAsync(mesh);
        Host(instance).FailVerbWith(IpsecMesh.HostAgent.Protocol.AgentVerbs.Uninstall, "internal", "the disk is read-only");

        mesh.Aws.Fleet.SetTag(instance.InstanceId, MeshFixture.TagKey, "off");

        await mesh.WaitForAsync(() => Revoked(mesh, serial), "the certificate to be on the CRL");
        await mesh.WaitForAsync(() => instance.Tag("IPSec:Status")?.EndsWith("the disk is read-only; certificate revoked", StringComparison.Ordinal) == true, "the failure on the status tag");
        Assert.Equal("off", instance.Tag(MeshFixture.TagKey));
        var attempts = Host(instance).State.VerbCounts.GetValueOrDefault(IpsecMesh.HostAgent.Protocol.AgentVerbs.Uninstall);
        await mesh.WaitForAsync(() => Host(instance).State.VerbCounts.GetValueOrDefault(IpsecMesh.HostAgent.Protocol.AgentVerbs.Uninstall) > attempts, "a retry");
    }

    private static MeshFixture Fixture() => new(settings: new Dictionary<string, string?> { ["IpsecMesh:ResyncInterval"] = "00:02:00" });

    private static async Task<(SimInstance Instance, string Serial)> EnrolAsync(MeshFixture mesh)
    {
        var instance = mesh.Launch();
        await mesh.StartControllerAsync(Token);
        await mesh.WaitForTagAsync(instance, "enabled");
        return (instance, Host(instance).State.CertSerial ?? throw new InvalidOperationException("no certificate on the host"));
    }

    /// <summary>Whether the serial is on a CRL the controller published (every CA's).</summary>
    private static bool Revoked(MeshFixture mesh, string serialHex)
    {
        var serial = new BigInteger(serialHex, 16);
        return mesh.Aws.ListKeys("issued/crl/").Any(key => mesh.Aws.ReadObject(key) is { } der
            && new X509CrlParser().ReadCrl(der).GetRevokedCertificate(serial) is not null);
    }

    private static VirtualHost Host(SimInstance instance) => Assert.IsType<VirtualHost>(instance.Runtime);
}
