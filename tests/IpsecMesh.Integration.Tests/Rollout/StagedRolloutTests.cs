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

        await mesh.WaitForAsync(() => instances.All(i => i.Tag("IPSec:Config") is { } hash && hash != original), "every host on the new config");
        // When each host was asked to apply the change and when it had, from the simulated SSM's record (simulated time):
        // a sample of the tags every 50 ms of wall clock (3 simulated s at 60x, more on a loaded machine) can see a
        // canary's change late by more than the few seconds the soak's end can leave.
        var applies = mesh.Aws.CommandHistory.Where(c => AgentCommand.VerbsFromComment(c.Comment)?.Contains(AgentVerbs.ApplyConfig) == true)
            .OrderBy(c => c.RequestedAt).ToList();
        Assert.Equal(instances.Select(i => i.InstanceId).Order(StringComparer.Ordinal), applies.Select(c => c.InstanceId).Order(StringComparer.Ordinal));
        // The canary alone (waves of 1, then 3, then all 6 hosts), then each wave no sooner than the 5-minute soak after the last one ended.
        var soak = TimeSpan.FromMinutes(5);
        Assert.True(applies[1].RequestedAt >= applies[0].EndedAt + soak, Describe("the second wave was asked too early", applies));
        Assert.True(applies[3].RequestedAt >= applies.Take(3).Max(c => c.EndedAt) + soak, Describe("the last wave was asked too early", applies));
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
        using var s3 = SimulatedClients.Create<Amazon.S3.IAmazonS3>(mesh.Aws);
        var policy = PolicyUploads.DefaultPolicyFiles();
        policy["block"] = "192.0.2.0/24\n";
        await PolicyUploads.UploadAsync(s3, mesh, policy, Token);
    }

    private static string Describe(string what, IEnumerable<InvocationRecord> invocations) =>
        what + ":\n" + string.Join("\n", invocations.Select(c => $"  {c.InstanceId} requested {c.RequestedAt:HH:mm:ss.fff} ended {c.EndedAt:HH:mm:ss.fff} {c.Status}"));

    private static VirtualHost Host(SimInstance instance) => Assert.IsType<VirtualHost>(instance.Runtime);
}
