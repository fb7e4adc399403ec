namespace IpsecMesh.Core.Rollout;

/// <summary>Why a roll-out stopped: the host whose apply of the target config failed, and its reason.</summary>
public sealed record RolloutStop(string InstanceId, string Reason, DateTimeOffset At);
