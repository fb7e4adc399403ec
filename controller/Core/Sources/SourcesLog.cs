using Microsoft.Extensions.Logging;

namespace IpsecMesh.Core.Sources;

internal static partial class SourcesLog
{
    [LoggerMessage(EventId = 200, Level = LogLevel.Warning, Message = "SQS message {MessageId} is not an event this controller handles and is left for the dead-letter queue: {Problem}")]
    public static partial void MessageRejected(ILogger logger, string messageId, string problem);

    [LoggerMessage(EventId = 201, Level = LogLevel.Debug, Message = "SQS message {MessageId}: {Kind} for {InstanceId} queued")]
    public static partial void EventQueued(ILogger logger, string messageId, string kind, string instanceId);

    [LoggerMessage(EventId = 202, Level = LogLevel.Warning, Message = "Receiving from SQS failed ({Error}); retrying in {Delay}")]
    public static partial void ReceiveFailed(ILogger logger, string error, TimeSpan delay);

    [LoggerMessage(EventId = 203, Level = LogLevel.Information, Message = "Resync listed {Count} tagged instances in {Pages} pages; {Vanished} known instances were not listed")]
    public static partial void ResyncDone(ILogger logger, int count, int pages, int vanished);

    [LoggerMessage(EventId = 204, Level = LogLevel.Warning, Message = "Resync failed ({Error}); next attempt in {Delay}")]
    public static partial void ResyncFailed(ILogger logger, string error, TimeSpan delay);

    [LoggerMessage(EventId = 205, Level = LogLevel.Information, Message = "VPC scan: {Entries} generated policy entries ({Managed} managed-service addresses kept clear), {Published} published")]
    public static partial void VpcScanned(ILogger logger, int entries, int managed, int published);

    [LoggerMessage(EventId = 206, Level = LogLevel.Warning, Message = "VPC scan failed ({Error}); the generated policy entries stay as they are")]
    public static partial void VpcScanFailed(ILogger logger, string error);

    [LoggerMessage(EventId = 207, Level = LogLevel.Debug, Message = "SQS message {MessageId}: the tag change of {InstanceId} is what the controller last wrote; not re-read")]
    public static partial void EchoIgnored(ILogger logger, string messageId, string instanceId);
}
