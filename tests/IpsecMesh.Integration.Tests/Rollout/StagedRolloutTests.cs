using IpsecMesh.Core.Cloud;
using IpsecMesh.HostAgent.Protocol;
using IpsecMesh.Integration.Tests.Support;
using IpsecMesh.Simulator;
using IpsecMesh.Simulator.Hosts;

namespace IpsecMesh.Integration.Tests.Rollout;

/// <summary>A new config goes to one canary first, then to growing waves; a canary that cannot apply it stops the roll-out.</summary>
public class StagedRolloutTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_failing_canary_stops_the_rollout_and_every_other_host_keeps_the_last_good_config()
    {
        await using var mesh = new MeshFixture(settings: Settings("1,50%,100%"));
        var instances = Enumerable.Range(0, 6).Select(_ => mesh.Launch()).ToArray();
        await mesh.StartControllerAsync(Token);
        foreach (var instance in instances) await mesh.WaitForTagAsync(instance, "enabled");
        var original = instances[0].Tag("IPSec:Config");
        // Every host would fail it: only the canary may ever be asked.
        foreach (var instance in instances) Host(instance).FailVerbWith(AgentVerbs.ApplyConfig, "config_failed", "ipsec-mesh.conf line 42: unknown keyword", times: 1);

        await UploadChangeAsync(mesh);

        await mesh.WaitForAsync(() => mesh.Logs.Any(l => l.Contains("roll-out of", StringComparison.Ordinal) && l.Contains("stopped in wave 0", StringComparison.Ordinal)), "the roll-out to stop");
        await Task.Delay(TimeSpan.FromMinutes(10), mesh.Time, Token);
        var asked = instances.Where(i => Host(i).State.VerbCounts.GetValueOrDefault(AgentVerbs.ApplyConfig) > 0).ToArray();
        var canary = Assert.Single(asked);
        Assert.All(instances.Except([canary]), i =>
        {
            Assert.Equal(original, i.Tag("IPSec:Config"));
            Assert.Equal(original, Host(i).State.ConfigHash);
            Assert.Equal("enabled", i.Tag(MeshFixture.TagKey));
        });
        // The canary is repaired onto the last good config after its backoff.
        await mesh.WaitForAsync(() => canary.Tag(MeshFixture.TagKey) == "enabled" && canary.Tag("IPSec:Config") == original, "the canary back on the last good config");
    }

    [Fact]
    public async Task A_good_config_reaches_the_canary_first_and_the_next_wave_only_after_the_soak()
    {
        await using var mesh = new MeshFixture(settings: Settings("1,50%,100%"));
        var instances = Enumerable.Range(0, 6).Select(_ => mesh.Launch()).ToArray();
        await mesh.StartControllerAsync(Token);
        foreach (var instance in instances) await mesh.WaitForTagAsync(instance, "enabled");
        var original = instances[0].Tag("IPSec:Config");

        await UploadChangeAsync(mesh);

        var changedAt = new Dictionary<string, DateTimeOffset>();
        await mesh.WaitForAsync(() =>
        {
            foreach (var i in instances)
                if (!changedAt.ContainsKey(i.InstanceId) && i.Tag("IPSec:Config") is { } hash && hash != original) changedAt[i.InstanceId] = mesh.Time.GetUtcNow();
            return changedAt.Count == instances.Length;
        }, "every host on the new config");
        var order = changedAt.Values.Order().ToArray();
        // The canary alone, then the others no sooner than the 5-minute soak after it.
        Assert.True(order[1] - order[0] >= TimeSpan.FromMinutes(5), $"the second host followed the canary after {order[1] - order[0]}");
        Assert.True(order[4] - order[1] >= TimeSpan.FromMinutes(5), $"the last wave followed the second after {order[4] - order[1]}");
        Assert.All(instances, i => Assert.Equal(1, Host(i).State.VerbCounts.GetValueOrDefault(AgentVerbs.ApplyConfig)));
    }

    private static Dictionary<string, string?> Settings(string waves) => new()
    {
        ["IpsecMesh:ConfigPollInterval"] = "00:00:30",
        ["IpsecMesh:RolloutWaves"] = waves,
        ["IpsecMesh:RolloutWaveSoak"] = "00:05:00",
    };

    private static async Task UploadChangeAsync(MeshFixture mesh)
    {
        using var s3 = new AwsClientFactory(new AwsTransport(mesh.Aws.CreateHandler(), mesh.Aws.Region), mesh.Aws.Region).CreateS3();
        var policy = PolicyUploads.DefaultPolicyFiles();
        policy["block"] = "192.0.2.0/24\n";
        await PolicyUploads.UploadAsync(s3, mesh, policy, Token);
    }

    private static VirtualHost Host(SimInstance instance) => Assert.IsType<VirtualHost>(instance.Runtime);
}
