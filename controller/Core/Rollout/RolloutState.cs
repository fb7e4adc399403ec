namespace IpsecMesh.Core.Rollout;

/// <summary>
/// What the roll-out remembers across restarts and leaders: the last config every host may run, the
/// target (null when none), the wave reached, when it started and when its hosts were all on the
/// target (the soak starts then), and why it stopped.
/// </summary>
public sealed record RolloutState(
    ConfigGeneration? LastGood,
    ConfigGeneration? Target,
    int Wave,
    DateTimeOffset WaveStartedAt,
    DateTimeOffset? WaveCompletedAt,
    RolloutStop? Stopped)
{
    public static RolloutState Empty { get; } = new(null, null, 0, DateTimeOffset.MinValue, null, null);
}
