using Microsoft.Extensions.Logging;

namespace IpsecMesh.Core.Sources;

/// <summary>
/// The events loop: the <see cref="SqsEventReader"/> long-polls the EventBridge queue, over and over, while this
/// replica leads. Errors back off with full jitter (up to 30 s) and never end the loop.
/// </summary>
public sealed class SqsEventSource(SqsEventReader reader, TimeProvider time, Random random, ILogger<SqsEventSource> logger)
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    /// <summary>Runs until <paramref name="cancellationToken"/> is cancelled; never throws.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var failures = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await reader.ReceiveOnceAsync(cancellationToken);
                failures = 0;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                failures++;
                var delay = TimeSpan.FromMilliseconds(random.NextDouble() * Math.Min(MaxBackoff.TotalMilliseconds, 500 * Math.Pow(2, Math.Min(failures, 10))));
                Log.ReceiveFailed(logger, e.GetType().Name, delay);
                try { await Task.Delay(delay, time, cancellationToken); }
                catch (OperationCanceledException) { return; }
            }
        }
    }
}
