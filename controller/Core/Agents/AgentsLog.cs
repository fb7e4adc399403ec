using Microsoft.Extensions.Logging;

namespace IpsecMesh.Core.Agents;

internal static partial class AgentsLog
{
    [LoggerMessage(EventId = 400, Level = LogLevel.Information, Message = "Collected IPsec health of {Hosts} hosts from command {CommandId}")]
    public static partial void HostHealthCollected(ILogger logger, int hosts, string commandId);

    [LoggerMessage(EventId = 401, Level = LogLevel.Debug, Message = "Command sweep: {Open} commands open, {Listed} invocations listed, {Finished} newly finished")]
    public static partial void Swept(ILogger logger, int open, int listed, int finished);
}
