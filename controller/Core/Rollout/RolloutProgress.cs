namespace IpsecMesh.Core.Rollout;

/// <summary>
/// A snapshot of the roll-out for status and metrics: the last good config every host may run, the
/// target being rolled out (null when none), the current wave (0 = canaries) of <see cref="Waves"/>,
/// how many enabled hosts run the target and how many the current wave admits, and why it stopped.
/// </summary>
public sealed record RolloutProgress(
    string? LastGoodId,
    string? TargetId,
    int Wave,
    int Waves,
    int OnTarget,
    int Admitted,
    int Fleet,
    RolloutStop? Stopped);
