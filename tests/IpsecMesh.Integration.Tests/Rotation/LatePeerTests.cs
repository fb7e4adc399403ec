using System.Net;
using IpsecMesh.Core.Cloud;
using IpsecMesh.HostAgent.Protocol;
using IpsecMesh.Integration.Tests.Support;
using IpsecMesh.Simulator;
using IpsecMesh.Simulator.Hosts;

namespace IpsecMesh.Integration.Tests.Rotation;

/// <summary>
/// What the controller tells a host to initiate to once its conns are loaded: the enabled peers
/// in the host's initiating groups (the default policy's private-or-clear 172.31.0.0/16 holds the
/// simulated VPC), with install and the first certificate, never with a renewal; at most LatePeerLimit.
/// </summary>
public class LatePeerTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static VirtualHost Host(SimInstance instance) => Assert.IsType<VirtualHost>(instance.Runtime);

    private static IEnumerable<string> InAddressOrder(IEnumerable<SimInstance> instances) =>
        instances.Select(i => IPAddress.Parse(i.PrivateIpAddress)).OrderBy(a => a.GetAddressBytes(), Comparer<byte[]>.Create((x, y) => x.AsSpan().SequenceCompareTo(y))).Select(a => a.ToString());

    /// <summary>
    /// The late-peer list is computed once per batch linger (LatePeerList, 21 batch windows): one computed while the early
    /// hosts were still enrolling would leave out the last of them, as it does for co-enrolled hosts (README, Known gaps).
    /// </summary>
    private static Task PastTheListLifetimeAsync(MeshFixture mesh) =>
        Task.Delay(TimeSpan.Parse(mesh.Settings["IpsecMesh:BatchWindow"]!, System.Globalization.CultureInfo.InvariantCulture) * (Batcher<string, bool>.MaxLingerWindows + 2), mesh.Time, Token);

    [Fact]
    public async Task A_late_host_is_sent_the_enrolled_peers_with_its_install_and_first_certificate_and_a_renewal_sends_none()
    {
        await using var mesh = new MeshFixture(settings: new Dictionary<string, string?> { ["IpsecMesh:RenewAfter"] = "00:05:00" });
        var early = Enumerable.Range(0, 3).Select(_ => mesh.Launch()).ToArray();
        var untagged = mesh.Launch(tag: null);
        await mesh.StartControllerAsync(Token);
        foreach (var instance in early) await mesh.WaitForTagAsync(instance, "enabled");
        await PastTheListLifetimeAsync(mesh);

        var late = mesh.Launch();
        await mesh.WaitForTagAsync(late, "enabled");

        var state = Host(late).State;
        var expected = InAddressOrder(early).ToArray();
        Assert.Equal(expected, state.LastPeers[AgentVerbs.Install]);
        Assert.Equal(expected, state.LastPeers[AgentVerbs.InstallCert]);
        Assert.DoesNotContain(untagged.PrivateIpAddress, state.LastPeers[AgentVerbs.Install]);

        var enrolledUntil = late.Tag("IPSec:CertExpiry");
        await mesh.WaitForAsync(() => late.Tag("IPSec:CertExpiry") is { } now && now != enrolledUntil, "the late host's renewal");
        Assert.Empty(Host(late).State.LastPeers[AgentVerbs.InstallCert]);
    }

    [Fact]
    public async Task No_more_than_the_late_peer_limit_and_none_when_it_is_zero()
    {
        await using var mesh = new MeshFixture(settings: new Dictionary<string, string?> { ["IpsecMesh:LatePeerLimit"] = "2" });
        var early = Enumerable.Range(0, 4).Select(_ => mesh.Launch()).ToArray();
        await mesh.StartControllerAsync(Token);
        foreach (var instance in early) await mesh.WaitForTagAsync(instance, "enabled");
        await PastTheListLifetimeAsync(mesh);

        var late = mesh.Launch();
        await mesh.WaitForTagAsync(late, "enabled");

        Assert.Equal(InAddressOrder(early).Take(2), Host(late).State.LastPeers[AgentVerbs.Install]);

        await using var off = new MeshFixture(settings: new Dictionary<string, string?> { ["IpsecMesh:LatePeerLimit"] = "0" });
        var first = off.Launch();
        await off.StartControllerAsync(Token);
        await off.WaitForTagAsync(first, "enabled");
        var second = off.Launch();
        await off.WaitForTagAsync(second, "enabled");
        Assert.Empty(Host(second).State.LastPeers[AgentVerbs.Install]);
    }

    [Fact]
    public async Task A_config_roll_out_sends_every_host_the_same_enrolled_peers_with_apply_config()
    {
        await using var mesh = new MeshFixture(settings: new Dictionary<string, string?>
        {
            ["IpsecMesh:ConfigPollInterval"] = "00:00:30",
            ["IpsecMesh:RolloutWaves"] = "100%",
        });
        var instances = Enumerable.Range(0, 3).Select(_ => mesh.Launch()).ToArray();
        await mesh.StartControllerAsync(Token);
        foreach (var instance in instances) await mesh.WaitForTagAsync(instance, "enabled");
        var original = instances[0].Tag("IPSec:Config");

        using var s3 = SimulatedClients.Create<Amazon.S3.IAmazonS3>(mesh.Aws);
        var policy = PolicyUploads.DefaultPolicyFiles();
        policy["block"] = "192.0.2.0/24\n";
        await PolicyUploads.UploadAsync(s3, mesh, policy, Token);
        await mesh.WaitForAsync(() => instances.All(i => i.Tag("IPSec:Config") is { } hash && hash != original), "every host on the new config");

        // One list for every host, its own address included (the agent skips it), so the roll-out's requests are identical.
        foreach (var instance in instances)
            Assert.Equal(InAddressOrder(instances), Host(instance).State.LastPeers[AgentVerbs.ApplyConfig]);
    }
}
