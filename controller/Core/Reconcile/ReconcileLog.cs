using Microsoft.Extensions.Logging;

namespace IpsecMesh.Core.Reconcile;

internal static partial class ReconcileLog
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Debug, Message = "Decided {Decision}: {Why}")]
    public static partial void Decided(ILogger logger, string decision, string why);

    [LoggerMessage(EventId = 101, Level = LogLevel.Information, Message = "Sent {Verbs} as command {CommandId}")]
    public static partial void CommandSent(ILogger logger, string verbs, string commandId);

    [LoggerMessage(EventId = 103, Level = LogLevel.Information, Message = "Instance is {Phase}: {Status}")]
    public static partial void PhaseChanged(ILogger logger, string phase, string status);

    [LoggerMessage(EventId = 104, Level = LogLevel.Warning, Message = "Instance failed: {Reason}")]
    public static partial void InstanceFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 106, Level = LogLevel.Information, Message = "Certificates revoked: {Reason}")]
    public static partial void Revoked(ILogger logger, string reason);

    [LoggerMessage(EventId = 107, Level = LogLevel.Warning, Message = "The tags {ConfigTag} and {ExpiryTag} do not show what the controller confirmed on the host (written by someone else?); they are display only: ignored, and written again once the host is converged")]
    public static partial void TagsShowOtherFacts(ILogger logger, string configTag, string expiryTag);

    [LoggerMessage(EventId = 108, Level = LogLevel.Debug, Message = "Certificate replacement waits for a rotation slot; looking again in {After}")]
    public static partial void RotationWaits(ILogger logger, TimeSpan after);

    [LoggerMessage(EventId = 105, Level = LogLevel.Information, Message = "Instance retired ({Why}); its certificates are revoked")]
    public static partial void Retired(ILogger logger, string why);
}
