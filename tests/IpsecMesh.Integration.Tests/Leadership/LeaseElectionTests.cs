using System.Text.Json;
using IpsecMesh.Core.Leadership;

namespace IpsecMesh.Integration.Tests.Leadership;

/// <summary>The lease protocol itself, step by step on a fake clock (defaults: 15 s lease, 10 s deadline, 2 s retry).</summary>
public class LeaseElectionTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_first_replica_acquires_and_a_second_stays_standby()
    {
        await using var bench = new LeaseBench();
        var first = bench.Replica();
        var second = bench.Replica();

        await first.TickAsync(Token);
        for (var i = 0; i < 30; i++) await bench.RetryAsync(first, second);

        Assert.True(first.IsLeader);
        Assert.True(first.WaitForLeadershipAsync(Token).IsCompletedSuccessfully);
        Assert.False(second.IsLeader);
        Assert.False(second.WaitForLeadershipAsync(Token).IsCompleted);
        Assert.Equal(first.Identity, Holder(await bench.LeaseAsync()));
    }

    [Fact]
    public async Task The_leader_rewrites_the_lease_at_every_retry()
    {
        await using var bench = new LeaseBench();
        var leader = bench.Replica();
        await leader.TickAsync(Token);
        var etags = new HashSet<string> { (await bench.LeaseAsync()).ETag };

        for (var i = 0; i < 5; i++)
        {
            await bench.RetryAsync(leader);
            etags.Add((await bench.LeaseAsync()).ETag);
        }

        Assert.Equal(6, etags.Count);
        var record = JsonSerializer.Deserialize<LeaseRecord>((await bench.LeaseAsync()).Content)!;
        Assert.Equal(bench.Time.GetUtcNow(), record.RenewedAt);
        Assert.True(leader.IsLeader);
    }

    [Fact]
    public async Task A_graceful_stop_releases_the_lease_and_the_standby_takes_over_at_its_next_attempt()
    {
        await using var bench = new LeaseBench();
        var leader = bench.Replica();
        var standby = bench.Replica();
        await leader.TickAsync(Token);
        await standby.TickAsync(Token);
        var term = await leader.WaitForLeadershipAsync(Token);

        await leader.StopAsync(Token);
        Assert.True(term.IsCancellationRequested);
        Assert.Equal("", Holder(await bench.LeaseAsync()));

        // No clock advance at all: a released lease is free at once, no lease duration to wait out.
        await standby.TickAsync(Token);
        Assert.True(standby.IsLeader);
        Assert.False(leader.IsLeader);
    }

    [Fact]
    public async Task A_leader_that_dies_without_release_is_replaced_only_after_the_lease_duration()
    {
        await using var bench = new LeaseBench();
        var leader = bench.Replica();
        var standby = bench.Replica();
        await leader.TickAsync(Token);
        await standby.TickAsync(Token);
        var lastRenewalSeen = bench.Time.GetUtcNow();

        // The leader is gone: it neither renews nor releases.
        var elapsed = TimeSpan.Zero;
        while (!standby.IsLeader)
        {
            Assert.True(elapsed < TimeSpan.FromMinutes(1), "the standby never took over");
            await bench.RetryAsync(standby);
            elapsed = bench.Time.GetUtcNow() - lastRenewalSeen;
            if (elapsed < LeaseBench.Settings.LeaseDuration) Assert.False(standby.IsLeader, $"took over after {elapsed}");
        }

        Assert.InRange(elapsed, LeaseBench.Settings.LeaseDuration, LeaseBench.Settings.LeaseDuration + LeaseBench.Settings.RetryPeriod);
        Assert.Equal(standby.Identity, Holder(await bench.LeaseAsync()));
    }

    [Fact]
    public async Task A_leader_that_cannot_renew_steps_down_at_the_deadline_before_the_standby_may_take_over()
    {
        await using var bench = new LeaseBench();
        var outage = new FlakyObjectStore(bench.Store);
        var leader = bench.Replica(outage);
        var standby = bench.Replica();
        await leader.TickAsync(Token);
        await standby.TickAsync(Token);
        var term = await leader.WaitForLeadershipAsync(Token);
        var renewed = bench.Time.GetUtcNow();
        outage.Failing = true;

        DateTimeOffset? steppedDown = null;
        while (!standby.IsLeader)
        {
            Assert.True(bench.Time.GetUtcNow() - renewed < TimeSpan.FromMinutes(1), "the standby never took over");
            await bench.RetryAsync(leader, standby);
            if (steppedDown is null && term.IsCancellationRequested) steppedDown = bench.Time.GetUtcNow();
            if (standby.IsLeader) Assert.False(leader.IsLeader, "two leaders at once");
        }

        Assert.NotNull(steppedDown);
        Assert.False(leader.IsLeader);
        Assert.InRange(steppedDown.Value - renewed, LeaseBench.Settings.RenewDeadline, LeaseBench.Settings.RenewDeadline + LeaseBench.Settings.RetryPeriod);
        Assert.True(bench.Time.GetUtcNow() - renewed >= LeaseBench.Settings.LeaseDuration);
    }

    [Fact]
    public async Task A_hung_renewal_does_not_keep_the_leader_past_its_deadline()
    {
        await using var bench = new LeaseBench();
        var hang = new FlakyObjectStore(bench.Store);
        var leader = bench.Replica(hang);
        await leader.TickAsync(Token);
        var term = await leader.WaitForLeadershipAsync(Token);
        hang.Hanging = true;

        bench.Time.Advance(LeaseBench.Settings.RetryPeriod);
        var attempt = leader.TickAsync(Token);
        Assert.False(attempt.IsCompleted);
        bench.Time.Advance(LeaseBench.Settings.RenewDeadline - LeaseBench.Settings.RetryPeriod);

        Assert.True(term.IsCancellationRequested);
        Assert.False(leader.IsLeader);
        bench.Time.Advance(LeaseBench.Settings.RetryPeriod);
        await attempt.WaitAsync(TimeSpan.FromSeconds(30), Token);
    }

    [Fact]
    public async Task A_replica_that_missed_its_deadline_leads_again_while_the_lease_is_still_its_own()
    {
        await using var bench = new LeaseBench();
        var outage = new FlakyObjectStore(bench.Store);
        var leader = bench.Replica(outage);
        await leader.TickAsync(Token);
        outage.Failing = true;
        for (var i = 0; i < 6; i++) await bench.RetryAsync(leader);
        Assert.False(leader.IsLeader);

        outage.Failing = false;
        await bench.RetryAsync(leader);

        // Before the fix, it kept renewing a lease it no longer acted on: nobody led, forever.
        Assert.True(leader.IsLeader);
        Assert.True(leader.WaitForLeadershipAsync(Token).IsCompletedSuccessfully);
    }

    [Fact]
    public async Task A_standby_never_takes_a_lease_the_leader_keeps_renewing()
    {
        await using var bench = new LeaseBench();
        var leader = bench.Replica();
        var standbys = Enumerable.Range(0, 3).Select(_ => bench.Replica()).ToArray();
        await leader.TickAsync(Token);

        for (var i = 0; i < 100; i++)
        {
            await bench.RetryAsync([.. standbys, leader]);
            Assert.All(standbys, s => Assert.False(s.IsLeader));
        }
        Assert.True(leader.IsLeader);
    }

    [Fact]
    public async Task A_lease_written_with_a_day_long_duration_is_taken_over_after_the_configured_lease_duration()
    {
        await using var bench = new LeaseBench();
        var standby = bench.Replica();
        var written = bench.Time.GetUtcNow();
        // A writer of leader/ (no replica) claims the lease for 86,399 s: under a day, which the lease used to believe.
        await bench.Store.PutAsync(LeaseBench.Settings.LeaseKey, JsonSerializer.SerializeToUtf8Bytes(new LeaseRecord("intruder", written, written, 86_399)), Token);
        await standby.TickAsync(Token);

        while (!standby.IsLeader)
        {
            Assert.True(bench.Time.GetUtcNow() - written < TimeSpan.FromMinutes(1), "the hostile lease kept the mesh leaderless");
            await bench.RetryAsync(standby);
        }

        Assert.InRange(bench.Time.GetUtcNow() - written, LeaseBench.Settings.LeaseDuration, LeaseBench.Settings.LeaseDuration + LeaseBench.Settings.RetryPeriod);
        Assert.Equal(standby.Identity, Holder(await bench.LeaseAsync()));
    }

    private static string Holder(Pki.Storage.StoredObject lease) => JsonSerializer.Deserialize<LeaseRecord>(lease.Content)!.Holder;
}
