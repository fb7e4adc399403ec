using System.Text.Json.Nodes;

namespace IpsecMesh.Simulator.Ssm;

/// <summary>One SendCommand and its per-instance invocations.</summary>
internal sealed class SsmCommand
{
    public required string CommandId { get; init; }
    public required string DocumentName { get; init; }
    public string? Comment { get; init; }
    public required IReadOnlyList<string> Commands { get; init; }
    public required JsonObject Parameters { get; init; }
    public required JsonArray Targets { get; init; }
    public required IReadOnlyList<string> RequestedInstanceIds { get; init; }
    public required DateTimeOffset RequestedAt { get; init; }
    public required TimeSpan DeliveryTimeout { get; init; }
    public required TimeSpan ExecutionTimeout { get; init; }
    public List<SsmInvocation> Invocations { get; } = [];

    public string Status
    {
        get
        {
            var statuses = Invocations.Select(i => i.Status).ToArray();
            if (statuses.Length == 0) return CommandStatus.Success;
            if (statuses.All(s => s == CommandStatus.Pending)) return CommandStatus.Pending;
            if (statuses.Any(s => !CommandStatus.IsTerminal(s))) return CommandStatus.InProgress;
            if (statuses.Contains(CommandStatus.Cancelled)) return CommandStatus.Cancelled;
            if (statuses.Contains(CommandStatus.Failed)) return CommandStatus.Failed;
            return statuses.Contains(CommandStatus.TimedOut) ? CommandStatus.TimedOut : CommandStatus.Success;
        }
    }
}
