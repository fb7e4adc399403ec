using Microsoft.Extensions.Logging;

namespace IpsecMesh.Core.Leadership;

internal static partial class LeadershipLog
{
    [LoggerMessage(EventId = 500, Level = LogLevel.Information, Message = "Leader lease acquired by {Identity}")]
    public static partial void Acquired(ILogger logger, string identity);

    [LoggerMessage(EventId = 501, Level = LogLevel.Warning, Message = "{Identity} stepped down as leader: {Why}")]
    public static partial void SteppedDown(ILogger logger, string identity, string why);

    [LoggerMessage(EventId = 502, Level = LogLevel.Information, Message = "Leader lease released by {Identity}")]
    public static partial void Released(ILogger logger, string identity);

    [LoggerMessage(EventId = 503, Level = LogLevel.Warning, Message = "Leader lease call failed: {Error}")]
    public static partial void LeaseError(ILogger logger, string error);
}
