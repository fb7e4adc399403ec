using Polly;
using Polly.Retry;

namespace IpsecMesh.Core.Queue;

/// <summary>
/// The one retry shape of the controller's long-running loops (SQS receive, the health endpoint's bind, a leadership
/// term's start-up recovery): a Polly
/// pipeline on the caller's <see cref="TimeProvider"/> that retries the failures it is given, without limit, waiting
/// <c>delayAfter(n)</c> after the n-th failure in a row (n from 1; each execution starts again at 1), and reports each
/// failure with its delay before waiting. An <see cref="OperationCanceledException"/> while the execution's token is
/// cancelled is never retried, and a cancelled wait ends the execution with one.
/// </summary>
public static class LoopRetry
{
    /// <param name="time">The clock the waits run on (tests: a fake one).</param>
    /// <param name="delayAfter">The wait after the n-th consecutive failure (n ≥ 1).</param>
    /// <param name="retries">Which exceptions are retried; any other ends the execution with it.</param>
    /// <param name="onRetry">Called with the failure and the wait that follows it, before the wait.</param>
    public static ResiliencePipeline Create(TimeProvider time, Func<int, TimeSpan> delayAfter, Func<Exception, bool> retries,
        Action<Exception, TimeSpan> onRetry) =>
        new ResiliencePipelineBuilder { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = int.MaxValue,
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is { } e
                    && !(e is OperationCanceledException && args.Context.CancellationToken.IsCancellationRequested) && retries(e)),
                DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(delayAfter(args.AttemptNumber + 1)),
                OnRetry = args =>
                {
                    onRetry(args.Outcome.Exception!, args.RetryDelay);
                    return default;
                },
            })
            .Build();

    /// <summary>Doubling from <paramref name="first"/> after the first failure, at most <paramref name="cap"/>: 5, 10, 20, 40, 60, 60 s for 5 s and 1 min.</summary>
    public static Func<int, TimeSpan> Doubling(TimeSpan first, TimeSpan cap) =>
        n => TimeSpan.FromMilliseconds(Math.Min(first.TotalMilliseconds * Math.Pow(2, Math.Min(n - 1, 30)), cap.TotalMilliseconds));

    /// <summary>
    /// "Full jitter": uniform in [0, min(<paramref name="cap"/>, <paramref name="unit"/> × 2^min(n, 10))), one
    /// <see cref="Random.NextDouble"/> of <paramref name="random"/> per failure.
    /// </summary>
    public static Func<int, TimeSpan> FullJitter(TimeSpan unit, TimeSpan cap, Random random) =>
        n => TimeSpan.FromMilliseconds(random.NextDouble() * Math.Min(cap.TotalMilliseconds, unit.TotalMilliseconds * Math.Pow(2, Math.Min(n, 10))));
}
