using IpsecMesh.Core.Cloud;
using IpsecMesh.Integration.Tests.Support;
using IpsecMesh.Simulator;
using IpsecMesh.Simulator.Hosts;

namespace IpsecMesh.Integration.Tests.BadInput;

/// <summary>
/// Anyone may write tags on their own instances. The config the controller believes a host has is
/// the one it sent and saw confirmed (its host facts in state/), never a value someone wrote on the
/// display tags: a forged IPSec:Config must not keep a host on an old policy (and old CRLs).
/// </summary>
public class ForgedTagTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_forged_config_tag_does_not_keep_a_host_on_its_old_config()
    {
        await using var mesh = new MeshFixture(settings: new Dictionary<string, string?>
        {
            ["IpsecMesh:ConfigPollInterval"] = "00:00:30",
            ["IpsecMesh:ResyncInterval"] = "00:02:00",
            // Not about waves: the victim, whose agent is away, must not hold the witness back as a canary.
            ["IpsecMesh:RolloutWaves"] = "100%",
        });
        var victim = mesh.Launch();
        var witness = mesh.Launch();
        await mesh.StartControllerAsync(Token);
        await mesh.WaitForTagAsync(victim, "enabled");
        await mesh.WaitForTagAsync(witness, "enabled");
        var original = witness.Tag("IPSec:Config");

        // The victim cannot take the change while its agent is away; the witness shows the new hash.
        mesh.Aws.Fleet.StopAgent(victim.InstanceId);
        using var s3 = SimulatedClients.Create<Amazon.S3.IAmazonS3>(mesh.Aws);
        var policy = PolicyUploads.DefaultPolicyFiles();
        policy["block"] = "192.0.2.0/24\n";
        await PolicyUploads.UploadAsync(s3, mesh, policy, Token);
        await mesh.WaitForAsync(() => witness.Tag("IPSec:Config") is { } hash && hash != original && Host(witness).State.ConfigHash == hash, "the witness on the new config");
        var current = witness.Tag("IPSec:Config")!;

        // Someone writes the new hash on the victim, as if it had applied it, and touches the main tag
        // so that the controller reads the instance again at once. The agent stays away until the
        // controller has read the forgery: with the agent back, a command already on its way could
        // apply the config and overwrite the forged tag with the real one before the controller looked.
        var forgeriesBefore = Forgeries(mesh);
        mesh.Aws.Fleet.SetTag(victim.InstanceId, "IPSec:Config", current);
        mesh.Aws.Fleet.SetTag(victim.InstanceId, MeshFixture.TagKey, "enabled");
        await mesh.WaitForAsync(() => Forgeries(mesh) > forgeriesBefore, "the controller to find the victim's config tag showing other facts than its own");
        mesh.Aws.Fleet.StartAgent(victim.InstanceId);

        await mesh.WaitForAsync(() => Host(victim).State.ConfigHash == current, "the victim's host to apply the new config");
        await mesh.WaitForAsync(() => victim.Tag("IPSec:Config") == current && victim.Tag(MeshFixture.TagKey) == "enabled", "the victim enabled on the new config");
    }

    private static int Forgeries(MeshFixture mesh) => mesh.Logs.Count(l => l.Contains("do not show what the controller confirmed", StringComparison.Ordinal));

    private static VirtualHost Host(SimInstance instance) => Assert.IsType<VirtualHost>(instance.Runtime);
}
