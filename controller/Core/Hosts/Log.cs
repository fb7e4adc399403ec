using Microsoft.Extensions.Logging;

namespace IpsecMesh.Core.Hosts;

internal static partial class Log
{
    [LoggerMessage(EventId = 400, Level = LogLevel.Information, Message = "Collected IPsec health of {Hosts} hosts from command {CommandId}")]
    public static partial void HostHealthCollected(ILogger logger, int hosts, string commandId);
}
