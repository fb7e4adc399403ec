using IpsecMesh.Core.Model;

namespace IpsecMesh.Core.Cloud;

/// <summary>One command invocation as ListCommandInvocations reports it; with details, its output up to SSM's 2,500 characters.</summary>
public sealed record InvocationSummary(
    string CommandId,
    string InstanceId,
    CommandStatus Status,
    string? Comment,
    DateTimeOffset RequestedAt,
    string? Output)
{
    /// <summary>ListCommandInvocations cuts each plugin's output at 2,500 characters; shorter output is whole.</summary>
    public const int ListedOutputLimit = 2500;

    public bool IsFinished => Status is not (CommandStatus.Pending or CommandStatus.InProgress);

    public bool OutputComplete => Output is not null && Output.Length < ListedOutputLimit - 50;
}
