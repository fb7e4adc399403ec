using IpsecMesh.Integration.Tests.Support;

namespace IpsecMesh.Integration.Tests.Leadership;

/// <summary>Whole controllers with leader election on, over one simulated AWS.</summary>
public class ReplicaTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Only_the_leader_reconciles_and_consumes_SQS_while_two_replicas_run()
    {
        await using var mesh = new MeshFixture();
        var instances = Enumerable.Range(0, 20).Select(_ => mesh.Launch()).ToList();
        await using var a = await Replica.StartAsync(mesh, initCa: true, Token);
        await using var b = await Replica.StartAsync(mesh, initCa: false, Token);

        await mesh.WaitForAsync(() => instances.All(i => i.Tag(MeshFixture.TagKey) == "enabled"), "every instance enabled");

        var (leader, standby) = a.IsLeader ? (a, b) : (b, a);
        Assert.True(leader.IsLeader);
        Assert.False(standby.IsLeader);
        Assert.Equal(0, standby.Requests.Count("AmazonSQS.ReceiveMessage"));
        Assert.Equal(0, standby.Requests.Count("AmazonSSM.SendCommand"));
        Assert.Equal(0, standby.Requests.Count("ec2"));
        Assert.True(leader.Requests.Count("AmazonSQS.ReceiveMessage") > 0);
        Assert.True(mesh.Aws.OverlappingCommands == 0, string.Join("\n", mesh.Aws.OverlappingCommandDetails));
        Assert.True(mesh.Aws.MaxConcurrentCommandsPerInstance <= 1);
    }

    [Fact]
    public async Task The_standby_takes_over_when_the_leader_stops_gracefully()
    {
        await using var mesh = new MeshFixture();
        var first = mesh.Launch();
        await using var a = await Replica.StartAsync(mesh, initCa: true, Token);
        await mesh.WaitForTagAsync(first, "enabled");
        await using var b = await Replica.StartAsync(mesh, initCa: false, Token);
        Assert.True(a.IsLeader);

        var stoppedAt = mesh.Time.GetUtcNow();
        await a.StopAsync();
        await mesh.WaitForAsync(() => b.IsLeader, "the standby to lead");
        var tookOverAfter = mesh.Time.GetUtcNow() - stoppedAt;

        var second = mesh.Launch();
        await mesh.WaitForTagAsync(second, "enabled");
        Assert.Contains(a.Logs, l => l.Contains("Leader lease released", StringComparison.Ordinal));
        TestContext.Current.TestOutputHelper?.WriteLine($"took over {tookOverAfter.TotalSeconds:F1} simulated s after the graceful stop");
    }

    [Fact]
    public async Task After_a_crash_the_standby_takes_over_no_sooner_than_the_lease_duration()
    {
        await using var mesh = new MeshFixture();
        var first = mesh.Launch();
        await using var a = await Replica.StartAsync(mesh, initCa: true, Token);
        await mesh.WaitForTagAsync(first, "enabled");
        await using var b = await Replica.StartAsync(mesh, initCa: false, Token);
        Assert.True(a.IsLeader);

        var crashedAt = mesh.Time.GetUtcNow();
        a.Crash();
        await mesh.WaitForAsync(() => b.IsLeader, "the standby to lead");

        Assert.True(mesh.Time.GetUtcNow() - crashedAt >= TimeSpan.FromMinutes(1) - TimeSpan.FromSeconds(10),
            $"took over {mesh.Time.GetUtcNow() - crashedAt} after the crash; the lease (1 min) had at most one retry period (5 s) plus the renewal call of it already elapsed");
        var second = mesh.Launch();
        await mesh.WaitForTagAsync(second, "enabled");
        Assert.True(mesh.Aws.OverlappingCommands == 0, string.Join("\n", mesh.Aws.OverlappingCommandDetails));
    }
}
