using Amazon.SQS;
using Amazon.SQS.Model;
using IpsecMesh.Core.Agents;
using IpsecMesh.Core.Options;
using IpsecMesh.Core.Queue;
using IpsecMesh.Core.State;
using IpsecMesh.Core.Telemetry;
using Microsoft.Extensions.Logging;

namespace IpsecMesh.Core.Sources;

/// <summary>
/// Long-polls the EventBridge queue and turns each event into a queued instance id, or, for Run Command's
/// status changes, a hint to the <see cref="CommandWatcher"/> that a command has output to read. Deletes only what it
/// handled; a malformed or foreign message is logged with its message id and left to the dead-letter
/// queue. Errors back off with full jitter and never end the loop.
/// </summary>
public sealed class SqsEventSource(
    IAmazonSQS sqs,
    IpsecMeshOptions options,
    WorkQueue<string> queue,
    InstanceStore store,
    CommandWatcher commands,
    AwsCallMeter meter,
    TimeProvider time,
    Random random,
    ILogger<SqsEventSource> logger)
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);
    private readonly EventBridgeParser _parser = new(options.TagKey);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var failures = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await ReceiveOnceAsync(cancellationToken);
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

    public async Task<int> ReceiveOnceAsync(CancellationToken cancellationToken)
    {
        var request = new ReceiveMessageRequest
        {
            QueueUrl = options.QueueUrl,
            MaxNumberOfMessages = 10,
            WaitTimeSeconds = 20,
            MessageSystemAttributeNames = ["ApproximateReceiveCount"],
        };
        var response = await meter.CallAsync("sqs", "ReceiveMessage", () => sqs.ReceiveMessageAsync(request, cancellationToken));
        var handled = new List<DeleteMessageBatchRequestEntry>();
        foreach (var message in response.Messages ?? [])
        {
            var parsed = _parser.Parse(message.Body);
            if (parsed.Command is { } command)
            {
                commands.Notify(command);
                handled.Add(new DeleteMessageBatchRequestEntry { Id = handled.Count.ToString(), ReceiptHandle = message.ReceiptHandle });
                continue;
            }
            if (parsed.Event is not { } e)
            {
                Log.MessageRejected(logger, message.MessageId, parsed.Error!);
                continue;
            }
            if (e.ChangedTags is { } changedTags && store.Echoes(e.InstanceId, changedTags))
            {
                Log.EchoIgnored(logger, message.MessageId, e.InstanceId);
                handled.Add(new DeleteMessageBatchRequestEntry { Id = handled.Count.ToString(), ReceiptHandle = message.ReceiptHandle });
                continue;
            }
            store.MarkStale(e.InstanceId);
            if (e.ChangedOurTag)
            {
                // A user's tag change (todo again, off) is acted on at once, whatever backoff the instance had.
                queue.Forget(e.InstanceId);
                store.Get(e.InstanceId).RetryNotBefore = null;
            }
            queue.Add(e.InstanceId);
            Log.EventQueued(logger, message.MessageId, e.Kind.ToString(), e.InstanceId);
            handled.Add(new DeleteMessageBatchRequestEntry { Id = handled.Count.ToString(), ReceiptHandle = message.ReceiptHandle });
        }
        if (handled.Count > 0)
        {
            var delete = new DeleteMessageBatchRequest { QueueUrl = options.QueueUrl, Entries = handled };
            await meter.CallAsync("sqs", "DeleteMessageBatch", () => sqs.DeleteMessageBatchAsync(delete, cancellationToken));
        }
        return response.Messages?.Count ?? 0;
    }
}
