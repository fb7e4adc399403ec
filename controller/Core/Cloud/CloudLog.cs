using Microsoft.Extensions.Logging;

namespace IpsecMesh.Core.Cloud;

internal static partial class CloudLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "The agent document {Name} version {Version} (SHA-256 {Hash}) holds this build's agent: commands run that version")]
    public static partial void AgentDocumentVerified(ILogger logger, string name, string version, string hash);

    [LoggerMessage(EventId = 2, Level = LogLevel.Critical, Message = "Not starting: {Reason}")]
    public static partial void AgentDocumentRefused(ILogger logger, string reason);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Wrote the host input file {Key} ({Bytes} bytes)")]
    public static partial void InputWritten(ILogger logger, string key, int bytes);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "SendCommand refused {Refused} of {Count} instances (InvalidInstanceId: agent not registered, or instance terminated); sending to the others again")]
    public static partial void InvalidInstancesDropped(ILogger logger, int refused, int count);
}
