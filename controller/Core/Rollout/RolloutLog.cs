using Microsoft.Extensions.Logging;

namespace IpsecMesh.Core.Rollout;

internal static partial class RolloutLog
{
    [LoggerMessage(EventId = 700, Level = LogLevel.Information, Message = "First mesh config {ConfigId}: every host runs it")]
    public static partial void FirstConfig(ILogger logger, string configId);

    [LoggerMessage(EventId = 701, Level = LogLevel.Information, Message = "Config roll-out of {TargetId} started (from {LastGoodId}, waves {Waves})")]
    public static partial void RolloutStarted(ILogger logger, string targetId, string lastGoodId, string waves);

    [LoggerMessage(EventId = 702, Level = LogLevel.Information, Message = "Config roll-out of {TargetId}: wave {Wave} admits {Admitted} of {Fleet} hosts")]
    public static partial void WaveStarted(ILogger logger, string targetId, int wave, int admitted, int fleet);

    [LoggerMessage(EventId = 703, Level = LogLevel.Information, Message = "Config roll-out of {TargetId} completed: it is the last good config of {Fleet} hosts")]
    public static partial void RolloutCompleted(ILogger logger, string targetId, int fleet);

    [LoggerMessage(EventId = 704, Level = LogLevel.Error, Message = "Config roll-out of {TargetId} stopped in wave {Wave}: {InstanceId} failed: {Reason}; hosts not on it keep {LastGoodId}")]
    public static partial void RolloutStopped(ILogger logger, string targetId, int wave, string instanceId, string reason, string lastGoodId);

    [LoggerMessage(EventId = 705, Level = LogLevel.Warning, Message = "Config roll-out of {TargetId}: wave {Wave} timed out waiting for {Count} hosts ({Sample}); going on without them")]
    public static partial void WaveTimedOut(ILogger logger, string targetId, int wave, int count, string sample);

    [LoggerMessage(EventId = 706, Level = LogLevel.Information, Message = "Config roll-out of {TargetId} abandoned: the config is {LastGoodId} again")]
    public static partial void RolloutAbandoned(ILogger logger, string targetId, string lastGoodId);

    [LoggerMessage(EventId = 707, Level = LogLevel.Error, Message = "{Key} does not verify (written by someone else, or corrupt): ignored; the next config becomes the last good one at once")]
    public static partial void StateRejected(ILogger logger, string key);
}
