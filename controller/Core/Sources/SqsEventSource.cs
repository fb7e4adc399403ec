using IpsecMesh.Core.Queue;
using Microsoft.Extensions.Logging;
using Polly;

namespace IpsecMesh.Core.Sources;

/// <summary>
/// The events loop: the <see cref="SqsEventReader"/> long-polls the EventBridge queue, over and over, while this
/// replica leads. Errors back off with full jitter (up to 30 s) and never end the loop.
/// </summary>
public sealed class SqsEventSource(SqsEventReader reader, TimeProvider time, Random random, ILogger<SqsEventSource> logger)
{
    // After the n-th failed receive in a row: uniform in [0, min(30 s, 0.5 s × 2^min(n, 10))).
    private readonly ResiliencePipeline _receive = LoopRetry.Create(time, LoopRetry.FullJitter(TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(30), random),
        _ => true, (e, delay) => SourcesLog.ReceiveFailed(logger, e.GetType().Name, delay));

    /// <summary>Runs until <paramref name="cancellationToken"/> is cancelled; never throws.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await _receive.ExecuteAsync(async token => await reader.ReceiveOnceAsync(token), cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
        }
    }
}
