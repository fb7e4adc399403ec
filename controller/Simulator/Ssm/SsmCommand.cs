using System.Text.Json.Nodes;

namespace IpsecMesh.Simulator.Ssm;

/// <summary>One SendCommand: its rendered document, rate controls and per-instance invocations.</summary>
internal sealed class SsmCommand
{
    public required string CommandId { get; init; }
    public required string DocumentName { get; init; }
    public required string DocumentVersion { get; init; }
    public string? Comment { get; init; }
    /// <summary>The document's steps with the parameters filled in.</summary>
    public required IReadOnlyList<DocumentStep> Steps { get; init; }
    public required JsonObject Parameters { get; init; }
    public required JsonArray Targets { get; init; }
    public required IReadOnlyList<string> RequestedInstanceIds { get; init; }
    public required DateTimeOffset RequestedAt { get; init; }
    public required TimeSpan DeliveryTimeout { get; init; }
    /// <summary>The aws:runShellScript step's timeoutSeconds (5 to 172800, else the SSM agent's 3600).</summary>
    public required TimeSpan ExecutionTimeout { get; init; }
    public required RateControl RateControl { get; init; }
    public List<SsmInvocation> Invocations { get; } = [];
    /// <summary>Invocations not sent to their instance yet: MaxConcurrency holds them back.</summary>
    public Queue<SsmInvocation> Waiting { get; } = new();

    public string Status
    {
        get
        {
            var statuses = Invocations.Select(i => i.Status).ToArray();
            if (statuses.Length == 0) return CommandStatus.Success;
            if (statuses.All(s => s == CommandStatus.Pending)) return CommandStatus.Pending;
            if (statuses.Any(s => !CommandStatus.IsTerminal(s))) return CommandStatus.InProgress;
            if (RateControl.ErrorsExceeded(this)) return CommandStatus.Failed;
            if (statuses.Contains(CommandStatus.Cancelled)) return CommandStatus.Cancelled;
            if (statuses.Contains(CommandStatus.Failed)) return CommandStatus.Failed;
            return statuses.Contains(CommandStatus.TimedOut) ? CommandStatus.TimedOut : CommandStatus.Success;
        }
    }
}
