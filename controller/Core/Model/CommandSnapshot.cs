using IpsecMesh.HostAgent.Protocol;

namespace IpsecMesh.Core.Model;

/// <summary>The controller's latest SSM command on an instance and what is known of its outcome.</summary>
public sealed record CommandSnapshot
{
    public required string CommandId { get; init; }
    public required IReadOnlyList<string> Verbs { get; init; }
    public required DateTimeOffset SentAt { get; init; }
    public required CommandStatus Status { get; init; }
    /// <summary>The config hash this controller sent with install or apply-config (null for other verbs, or a command sent by an older version).</summary>
    public string? SentConfigHash { get; init; }
    public IReadOnlyList<AgentResult> Results { get; init; } = [];
    /// <summary>Bounded, sanitized tail of standard error, for the status tag of a failure.</summary>
    public string? ErrorTail { get; init; }

    public bool IsFinished => Status is not (CommandStatus.Pending or CommandStatus.InProgress);

    public AgentResult? Result(string verb) => Results.LastOrDefault(r => r.Verb == verb);

    public bool Includes(string verb) => Verbs.Contains(verb);
}
