namespace IpsecMesh.Simulator.Ssm;

/// <summary>One command on one instance: Pending → InProgress → Success / Failed / TimedOut / Cancelled, one plugin result per step.</summary>
internal sealed class SsmInvocation
{
    public SsmInvocation(SsmCommand command, string instanceId)
    {
        Command = command;
        InstanceId = instanceId;
        Plugins = [.. command.Steps.Select(s => new PluginResult(s.Name))];
    }

    public SsmCommand Command { get; }
    public string InstanceId { get; }
    public IReadOnlyList<PluginResult> Plugins { get; }
    public string Status { get; set; } = CommandStatus.Pending;
    public string StatusDetails { get; set; } = CommandStatus.Pending;
    public int ResponseCode { get; set; } = -1;
    /// <summary>Sent to the instance (counted against MaxConcurrency); false while rate control holds it back.</summary>
    public bool Dispatched { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? EndedAt { get; set; }
    public ITimer? Timer { get; set; }
    public CancellationTokenSource? Cancellation { get; set; }

    /// <summary>The plugin of a step, or null.</summary>
    public PluginResult? Plugin(string name) => Plugins.FirstOrDefault(p => p.Name == name);

    /// <summary>What the agent step printed, for the one-step view (the last step that ran).</summary>
    public PluginResult? LastRun => Plugins.LastOrDefault(p => p.StartedAt is not null) ?? (Plugins.Count > 0 ? Plugins[^1] : null);

    public void Finish(string status, string details, int responseCode, DateTimeOffset now)
    {
        Status = status;
        StatusDetails = details;
        ResponseCode = responseCode;
        EndedAt = now;
        Timer?.Dispose();
        Timer = null;
        foreach (var plugin in Plugins.Where(p => !CommandStatus.IsTerminal(p.Status)))
            plugin.Finish(status, details, -1, now);
    }
}
