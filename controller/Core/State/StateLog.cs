using Microsoft.Extensions.Logging;

namespace IpsecMesh.Core.State;

internal static partial class StateLog
{
    [LoggerMessage(EventId = 1100, Level = LogLevel.Error, Message = "{ObjectKey} does not verify under the controller's state key or does not parse (written by someone else?); ignored: every host's config and certificate are confirmed again")]
    public static partial void HostFactsRejected(ILogger logger, string objectKey);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Warning, Message = "{ObjectKey} was written by another replica since this one's last write; merged (this replica's newer facts kept) and written again")]
    public static partial void HostFactsMerged(ILogger logger, string objectKey);
}
