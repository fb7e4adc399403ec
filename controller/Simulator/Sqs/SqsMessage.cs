using System.Text.Json.Nodes;

namespace IpsecMesh.Simulator.Sqs;

/// <summary>One message in a simulated queue.</summary>
internal sealed class SqsMessage
{
    public required string MessageId { get; init; }
    public required string Body { get; init; }
    public required string Md5OfBody { get; init; }
    public JsonObject? MessageAttributes { get; init; }
    public required DateTimeOffset SentAt { get; init; }
    public DateTimeOffset VisibleAt { get; set; }
    public int ReceiveCount { get; set; }
    public DateTimeOffset? FirstReceivedAt { get; set; }
    /// <summary>The handle of the latest receive; older handles of a message still delete it, as in SQS.</summary>
    public string? ReceiptHandle { get; set; }
}
