using Amazon.SQS;
using Amazon.SQS.Model;
using IpsecMesh.Core.Options;
using IpsecMesh.Core.Telemetry;

namespace IpsecMesh.Core.Sources;

/// <summary>
/// One long poll of the EventBridge queue (up to 10 messages, 20 s): each message goes to the <see cref="EventRouter"/>,
/// and what it handled is deleted in one batch; a malformed or foreign message is left to the dead-letter queue.
/// </summary>
public sealed class SqsEventReader(IAmazonSQS sqs, IpsecMeshOptions options, EventRouter router)
{
    /// <summary>Returns the number of messages received; SQS errors propagate.</summary>
    public async Task<int> ReceiveOnceAsync(CancellationToken cancellationToken)
    {
        var request = new ReceiveMessageRequest
        {
            QueueUrl = options.QueueUrl,
            MaxNumberOfMessages = 10,
            WaitTimeSeconds = 20,
            MessageSystemAttributeNames = ["ApproximateReceiveCount"],
        };
        var response = await sqs.ReceiveMessageAsync(request, cancellationToken);
        var handled = new List<DeleteMessageBatchRequestEntry>();
        foreach (var message in response.Messages ?? [])
        {
            if (router.Route(message.MessageId, message.Body))
                handled.Add(new DeleteMessageBatchRequestEntry { Id = handled.Count.ToString(), ReceiptHandle = message.ReceiptHandle });
        }
        if (handled.Count > 0)
        {
            var delete = new DeleteMessageBatchRequest { QueueUrl = options.QueueUrl, Entries = handled };
            await sqs.DeleteMessageBatchAsync(delete, cancellationToken);
        }
        return response.Messages?.Count ?? 0;
    }
}
