namespace IpsecMesh.Simulator;

/// <summary>One SSM command invocation as the simulated SSM ran it: which instance, what (the command's comment), and when.</summary>
/// <param name="StartedAt">When the agent picked it up; null while it waits for delivery.</param>
/// <param name="EndedAt">When it finished, whatever its outcome; null while it runs.</param>
public sealed record InvocationRecord(string CommandId, string InstanceId, string? Comment, string Status,
    DateTimeOffset RequestedAt, DateTimeOffset? StartedAt, DateTimeOffset? EndedAt);
