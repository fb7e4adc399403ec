using IpsecMesh.Core.Queue;
using Microsoft.Extensions.Time.Testing;

namespace IpsecMesh.Core.Tests.Queue;

public class WorkQueueTests
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-11-24T00:00:00Z"));

    private WorkQueue<string> NewQueue() => new(_time, new BackoffPolicy(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60), new Random(7)));

    [Fact]
    public async Task A_key_added_many_times_before_processing_is_handed_out_once()
    {
        using var queue = NewQueue();
        for (var i = 0; i < 5; i++) queue.Add("i-1");
        queue.Add("i-2");

        Assert.Equal(2, queue.Depth);
        var (_, first) = await queue.TryGetAsync(CancellationToken.None);
        var (_, second) = await queue.TryGetAsync(CancellationToken.None);
        Assert.Equal(["i-1", "i-2"], new[] { first, second });
        Assert.Equal(0, queue.Depth);
    }

    [Fact]
    public async Task A_key_readded_while_in_process_is_not_handed_to_a_second_worker_until_done()
    {
        using var queue = NewQueue();
        queue.Add("i-1");
        var (_, key) = await queue.TryGetAsync(CancellationToken.None);
        queue.Add("i-1");

        Assert.Equal(0, queue.Depth);
        var second = queue.TryGetAsync(CancellationToken.None).AsTask();
        await Task.Delay(50, TestContext.Current.CancellationToken);
        Assert.False(second.IsCompleted);

        queue.Done(key);
        var (ok, again) = await second.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
        Assert.True(ok);
        Assert.Equal("i-1", again);
    }

    [Fact]
    public async Task Done_without_a_readd_does_not_hand_the_key_out_again()
    {
        using var queue = NewQueue();
        queue.Add("i-1");
        var (_, key) = await queue.TryGetAsync(CancellationToken.None);
        queue.Done(key);
        Assert.Equal(0, queue.Depth);
    }

    [Fact]
    public void AddAfter_makes_the_key_ready_only_when_the_delay_passes_and_the_earliest_delay_wins()
    {
        using var queue = NewQueue();
        queue.AddAfter("i-1", TimeSpan.FromSeconds(30));
        queue.AddAfter("i-1", TimeSpan.FromSeconds(10));
        queue.AddAfter("i-1", TimeSpan.FromSeconds(20));

        _time.Advance(TimeSpan.FromSeconds(9));
        Assert.Equal(0, queue.Depth);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, queue.Depth);
        Assert.Equal(0, queue.Delayed);
    }

    [Fact]
    public void Backoff_grows_exponentially_per_key_is_capped_and_resets_on_forget()
    {
        using var queue = NewQueue();
        var delays = Enumerable.Range(0, 10).Select(_ => queue.AddRateLimited("i-1")).ToList();

        // Equal jitter: each delay lies in [full/2, full] of base·2^(n-1), capped at 60 s.
        for (var n = 0; n < delays.Count; n++)
        {
            var full = Math.Min(60, Math.Pow(2, n));
            Assert.InRange(delays[n].TotalSeconds, full / 2, full);
        }
        Assert.Equal(10, queue.Failures("i-1"));
        Assert.Equal(0, queue.Failures("i-2"));

        queue.Forget("i-1");
        Assert.Equal(0, queue.Failures("i-1"));
        Assert.InRange(queue.AddRateLimited("i-1").TotalSeconds, 0.5, 1);
    }

    [Fact]
    public void The_queue_knows_when_a_keys_retry_is_due_until_it_is_forgotten()
    {
        using var queue = NewQueue();
        IRetryBackoff<string> backoff = queue;
        Assert.Null(backoff.RetryAt("i-1"));

        var delay = queue.AddRateLimited("i-1");
        Assert.Equal(_time.GetUtcNow() + delay, backoff.RetryAt("i-1"));
        Assert.Null(backoff.RetryAt("i-2"));

        // A plain add (an event, a resync) hands the key out early; the retry stays due when it was.
        _time.Advance(TimeSpan.FromMilliseconds(100));
        queue.Add("i-1");
        Assert.Equal(_time.GetUtcNow() - TimeSpan.FromMilliseconds(100) + delay, backoff.RetryAt("i-1"));

        queue.Forget("i-1");
        Assert.Null(backoff.RetryAt("i-1"));
    }

    [Fact]
    public async Task Shutdown_releases_waiting_workers_and_refuses_new_keys()
    {
        using var queue = NewQueue();
        var waiting = queue.TryGetAsync(CancellationToken.None).AsTask();
        queue.ShutDown();
        var (ok, _) = await waiting.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
        Assert.False(ok);

        queue.Add("i-1");
        Assert.Equal(0, queue.Depth);
    }

    [Fact]
    public async Task Concurrent_workers_never_hold_the_same_key_at_once()
    {
        using var queue = NewQueue();
        var holding = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        var overlaps = 0;
        var processed = 0;
        using var stop = new CancellationTokenSource();
        var workers = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            while (true)
            {
                var (ok, key) = await queue.TryGetAsync(stop.Token);
                if (!ok) return;
                if (holding.AddOrUpdate(key, 1, (_, n) => n + 1) > 1) Interlocked.Increment(ref overlaps);
                await Task.Yield();
                holding.AddOrUpdate(key, 0, (_, n) => n - 1);
                Interlocked.Increment(ref processed);
                queue.Done(key);
            }
        })).ToList();
        for (var i = 0; i < 2000; i++) queue.Add($"i-{i % 10}");
        while (queue.Depth > 0 || queue.InProcess > 0) await Task.Delay(10, TestContext.Current.CancellationToken);
        queue.ShutDown();
        await Task.WhenAll(workers);

        Assert.Equal(0, overlaps);
        Assert.InRange(processed, 10, 2000);
    }
}
