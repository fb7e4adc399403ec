namespace IpsecMesh.Simulator.Sqs;

/// <summary>
/// SQS's JSON protocol is "query compatible": next to the JSON error type, an error carries its AWS query protocol
/// code in <c>x-amzn-query-error: CODE;Sender|Receiver</c>, which the AWS CLI and the SDKs report as the error code
/// (a missing queue is <c>AWS.SimpleQueueService.NonExistentQueue</c>, as from SQS, not <c>QueueDoesNotExist</c>).
/// </summary>
internal static class SqsErrors
{
    private static readonly Dictionary<string, string> QueryCodes = new(StringComparer.Ordinal)
    {
        ["QueueDoesNotExist"] = "AWS.SimpleQueueService.NonExistentQueue",
        ["MessageNotInflight"] = "AWS.SimpleQueueService.MessageNotInflight",
        ["EmptyBatchRequest"] = "AWS.SimpleQueueService.EmptyBatchRequest",
        ["TooManyEntriesInBatchRequest"] = "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
        ["BatchEntryIdsNotDistinct"] = "AWS.SimpleQueueService.BatchEntryIdsNotDistinct",
        ["InvalidBatchEntryId"] = "AWS.SimpleQueueService.InvalidBatchEntryId",
        ["BatchRequestTooLong"] = "AWS.SimpleQueueService.BatchRequestTooLong",
        ["PurgeQueueInProgress"] = "AWS.SimpleQueueService.PurgeQueueInProgress",
        ["UnsupportedOperation"] = "AWS.SimpleQueueService.UnsupportedOperation",
        ["QueueDeletedRecently"] = "AWS.SimpleQueueService.QueueDeletedRecently",
        ["QueueNameExists"] = "QueueAlreadyExists",
    };

    public static string QueryError(AwsServiceException error) =>
        $"{QueryCodes.GetValueOrDefault(error.Code, error.Code)};{(error.Status >= 500 ? "Receiver" : "Sender")}";

    public static AwsServiceException NonExistentQueue() => new(400, "QueueDoesNotExist", "The specified queue does not exist.");

    public static AwsServiceException InvalidParameter(string message) => new(400, "InvalidParameterValue", message);
}
