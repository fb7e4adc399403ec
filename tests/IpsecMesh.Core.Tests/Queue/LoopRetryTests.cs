using IpsecMesh.Core.Queue;
using Microsoft.Extensions.Time.Testing;

namespace IpsecMesh.Core.Tests.Queue;

public class LoopRetryTests
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-11-24T00:00:00Z"));

    [Fact]
    public async Task Failures_are_retried_on_the_schedule_and_reported_until_one_succeeds()
    {
        var reported = new List<(string Error, TimeSpan Delay)>();
        var pipeline = LoopRetry.Create(_time, LoopRetry.Doubling(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(15)), e => e is IOException,
            (e, delay) => reported.Add((e.Message, delay)));
        var attempts = 0;
        var run = pipeline.ExecuteAsync(_ => ++attempts < 4 ? throw new IOException($"try {attempts}") : ValueTask.FromResult(attempts), CancellationToken.None).AsTask();

        // Each wait ends only when the clock passes it: 5, 10, then 15 s (capped).
        foreach (var wait in new[] { 5, 10, 15 })
        {
            await WaitUntilAsync(() => reported.Count == attempts);
            Assert.False(run.IsCompleted);
            _time.Advance(TimeSpan.FromSeconds(wait));
        }
        Assert.Equal(4, await run);
        Assert.Equal([("try 1", TimeSpan.FromSeconds(5)), ("try 2", TimeSpan.FromSeconds(10)), ("try 3", TimeSpan.FromSeconds(15))], reported);
    }

    [Fact]
    public async Task A_failure_it_is_not_given_and_a_cancelled_execution_end_it_at_once()
    {
        var reported = 0;
        var pipeline = LoopRetry.Create(_time, _ => TimeSpan.FromSeconds(1), e => e is IOException, (_, _) => reported++);

        await Assert.ThrowsAsync<InvalidOperationException>(async () =>
            await pipeline.ExecuteAsync<int>(_ => throw new InvalidOperationException("not retried"), CancellationToken.None));

        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
            await pipeline.ExecuteAsync<int>(token => throw new OperationCanceledException(token), cancelled.Token));
        Assert.Equal(0, reported);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 500 && !condition(); i++) await Task.Delay(10);
        Assert.True(condition());
    }
}
