using IpsecMesh.Core.Cloud;
using IpsecMesh.Integration.Tests.Support;

namespace IpsecMesh.Integration.Tests.BadInput;

public class MalformedConfigTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_valid_policy_change_rolls_out_and_a_malformed_one_is_rejected_keeping_the_last_good()
    {
        await using var mesh = new MeshFixture(settings: new Dictionary<string, string?> { ["IpsecMesh:ConfigPollInterval"] = "00:00:30" });
        var instances = new[] { mesh.Launch(), mesh.Launch() };
        await mesh.StartControllerAsync(Token);
        foreach (var instance in instances) await mesh.WaitForTagAsync(instance, "enabled");
        var original = instances[0].Tag("IPSec:Config");
        using var s3 = SimulatedClients.Create<Amazon.S3.IAmazonS3>(mesh.Aws);

        // A good change: a range moves from private-or-clear to private.
        var policy = PolicyUploads.DefaultPolicyFiles();
        policy["private"] = "172.31.0.0/16\n";
        policy["private-or-clear"] = "# emptied\n";
        await PolicyUploads.UploadAsync(s3, mesh, policy, Token);
        await mesh.WaitForAsync(() => instances.All(i => i.Tag("IPSec:Config") is { } hash && hash != original && i.Tag("IPSec") == "enabled"), "the new config on every host");
        var rolledOut = instances[0].Tag("IPSec:Config");
        Assert.Equal(rolledOut, instances[1].Tag("IPSec:Config"));

        // A bad change: 0.0.0.0/0 in clear and a malformed CIDR. It must never reach a host.
        policy["clear"] = "172.31.0.2/32\n0.0.0.0/0\n";
        policy["private"] = "172.31.0.0/16\n172.31.300.0/24\n";
        await PolicyUploads.UploadAsync(s3, mesh, policy, Token);
        await mesh.WaitForAsync(() => mesh.Logs.Any(l => l.Contains("Mesh policy rejected", StringComparison.Ordinal) && l.Contains("clear:2:", StringComparison.Ordinal)),
            "the rejection naming clear line 2");
        Assert.Contains(mesh.Logs, l => l.Contains("Mesh policy rejected", StringComparison.Ordinal) && l.Contains("private:2:", StringComparison.Ordinal));
        await Task.Delay(TimeSpan.FromSeconds(2), Token); // two more config polls at 60x
        Assert.All(instances, i => Assert.Equal(rolledOut, i.Tag("IPSec:Config")));
        Assert.All(instances, i => Assert.Equal("enabled", i.Tag("IPSec")));
    }
}
