using System.Collections.Concurrent;
using IpsecMesh.Core.Cloud;
using Microsoft.Extensions.Time.Testing;

namespace IpsecMesh.Core.Tests.Cloud;

public class BatcherTests
{
    private sealed class Recorder
    {
        public ConcurrentQueue<(string Group, string[] Items)> Calls { get; } = new();

        public Task<IReadOnlyDictionary<string, int>> FlushAsync(string group, IReadOnlyList<string> items, CancellationToken cancellationToken)
        {
            Calls.Enqueue((group, items.ToArray()));
            return Task.FromResult<IReadOnlyDictionary<string, int>>(items.ToDictionary(i => i, i => i.Length));
        }
    }

    [Fact]
    public async Task Items_of_one_group_in_one_window_go_out_in_one_call_of_at_most_the_batch_size()
    {
        var recorder = new Recorder();
        var time = new FakeTimeProvider();
        var window = TimeSpan.FromMilliseconds(50);
        await using var batcher = new Batcher<string, int>(3, window, time, recorder.FlushAsync);

        var submitted = Task.WhenAll(new[] { "a", "bb", "ccc", "dddd" }.Select(i => batcher.SubmitAsync("g", i, CancellationToken.None))
            .Append(batcher.SubmitAsync("other", "e", CancellationToken.None)));
        await FakeClockWindows.AdvanceUntilAsync(time, window, () => submitted.IsCompleted);
        var results = await submitted;

        Assert.Equal([1, 2, 3, 4, 1], results);
        Assert.Equal(3, recorder.Calls.Count);
        Assert.All(recorder.Calls, c => Assert.True(c.Items.Length <= 3));
        Assert.Single(recorder.Calls, c => c.Group == "other");
    }

    [Fact]
    public async Task A_flood_lingers_into_fuller_calls_and_a_lone_item_waits_one_window()
    {
        var recorder = new Recorder();
        var time = new FakeTimeProvider();
        var window = TimeSpan.FromMilliseconds(50);
        await using var batcher = new Batcher<string, int>(50, window, time, recorder.FlushAsync);

        // Ten items a window for twelve windows (a fleet enrolling): without lingering, twelve calls of ten.
        var submitted = new List<Task<int>>();
        for (var w = 0; w < 12; w++)
        {
            for (var i = 0; i < 10; i++) submitted.Add(batcher.SubmitAsync("g", $"{w}-{i}", CancellationToken.None));
            await Task.Delay(20, TestContext.Current.CancellationToken);
            time.Advance(window);
        }
        await FakeClockWindows.AdvanceUntilAsync(time, window, () => submitted.All(t => t.IsCompleted));

        Assert.Equal(120, recorder.Calls.Sum(c => c.Items.Length));
        Assert.True(recorder.Calls.Count <= 4, $"{recorder.Calls.Count} calls: " + string.Join(" ", recorder.Calls.Select(c => c.Items.Length)));

        // A lone item afterwards: flushed after one window, not held for the flood's linger.
        var calls = recorder.Calls.Count;
        var started = time.GetUtcNow();
        var lone = batcher.SubmitAsync("g", "lone", CancellationToken.None);
        await FakeClockWindows.AdvanceUntilAsync(time, window, () => lone.IsCompleted);
        Assert.Equal(calls + 1, recorder.Calls.Count);
        // One window, or two when the clock moved before the batcher had set its timer; a linger would take more.
        Assert.True(time.GetUtcNow() - started <= 2 * window, $"the lone item waited {time.GetUtcNow() - started}");
    }

    [Fact]
    public async Task A_call_whose_submitter_gave_up_before_the_flush_is_never_made()
    {
        var recorder = new Recorder();
        var time = new FakeTimeProvider();
        var window = TimeSpan.FromMilliseconds(200);
        await using var batcher = new Batcher<string, int>(50, window, time, recorder.FlushAsync);
        using var steppedDown = new CancellationTokenSource();

        var abandoned = batcher.SubmitAsync("send", "i-lost-leadership", steppedDown.Token);
        await steppedDown.CancelAsync();
        var keeping = batcher.SubmitAsync("send", "i-still-wanted", CancellationToken.None);
        await FakeClockWindows.AdvanceUntilAsync(time, window, () => keeping.IsCompleted);
        var kept = await keeping;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => abandoned);
        Assert.Equal("i-still-wanted".Length, kept);
        Assert.DoesNotContain(recorder.Calls, c => c.Items.Contains("i-lost-leadership"));
    }

    [Fact]
    public async Task A_submitter_that_gave_up_is_answered_only_once_its_call_is_over_which_stops_when_every_submitter_gave_up()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var flushes = new ConcurrentQueue<CancellationToken>();
        // A call that is still retrying (think SDK backoff after throttling) until released or cancelled.
        async Task<IReadOnlyDictionary<string, int>> RetryingFlushAsync(string group, IReadOnlyList<string> items, CancellationToken cancellationToken)
        {
            flushes.Enqueue(cancellationToken);
            await release.Task.WaitAsync(cancellationToken);
            return items.ToDictionary(i => i, i => i.Length);
        }
        var time = new FakeTimeProvider();
        var window = TimeSpan.FromMilliseconds(100);
        await using var batcher = new Batcher<string, int>(50, window, time, RetryingFlushAsync);
        using var first = new CancellationTokenSource();
        using var second = new CancellationTokenSource();

        var a = batcher.SubmitAsync("send", "i-a", first.Token);
        var b = batcher.SubmitAsync("send", "i-b", second.Token);
        await FakeClockWindows.AdvanceUntilAsync(time, window, () => !flushes.IsEmpty);
        var call = Assert.Single(flushes);

        await first.CancelAsync();
        // Answering now would let a stepped-down leader's loops end while its SendCommand can still land.
        Assert.False(a.IsCompleted, "a submitter whose item is in a call is answered when the call ends");
        Assert.False(call.IsCancellationRequested, "one submitter still waits for the call");
        await second.CancelAsync();
        Assert.True(call.IsCancellationRequested, "nobody waits for the call any more");
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => a);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => b);
        Assert.True(a.IsCanceled && b.IsCanceled, "an abandoned call reads as cancelled, not as an AWS failure");
    }
}
