using IpsecMesh.Core.Model;
using Microsoft.Extensions.Logging;

namespace IpsecMesh.Core.Hosting;

internal static partial class HostingLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "This replica leads: starting the controller loops")]
    public static partial void Leading(ILogger logger);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Leadership lost: loops stopped, waiting to lead again")]
    public static partial void LeadershipLost(ILogger logger);

    [LoggerMessage(EventId = 3, Level = LogLevel.Error, Message = "Start-up failed ({Error}: {Detail}); retrying in {Delay}")]
    public static partial void StartupFailed(ILogger logger, string error, string detail, TimeSpan delay);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "Resuming command {CommandId} ({Verbs}) on {InstanceId} found in SSM")]
    public static partial void CommandRecovered(ILogger logger, string commandId, string verbs, string instanceId);

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "Reconcile {Result}: {Error}: {Detail}")]
    public static partial void ReconcileFailed(ILogger logger, string result, string error, string detail);

    [LoggerMessage(EventId = 6, Level = LogLevel.Error, Message = "Reconcile gave up until the instance changes: {Reason}")]
    public static partial void Terminal(ILogger logger, string reason);

    [LoggerMessage(EventId = 7, Level = LogLevel.Error, Message = "The {Loop} loop failed ({Error}: {Detail}); it runs again at its next tick")]
    public static partial void LoopFailed(ILogger logger, string loop, string error, string detail);

    [LoggerMessage(EventId = 8, Level = LogLevel.Warning, Message = "Health endpoint on port {Port} unavailable: {Problem}; binding again in {Retry}")]
    public static partial void HealthUnavailable(ILogger logger, int port, string problem, TimeSpan retry);

    /// <summary>An exception's message as logged by the loops: one line of at most 300 characters.</summary>
    public static string Sanitize(string message) => StatusText.Clean(message, 300);
}
