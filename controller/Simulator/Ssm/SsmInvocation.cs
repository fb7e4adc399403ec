namespace IpsecMesh.Simulator.Ssm;

/// <summary>One command on one instance: Pending → InProgress → Success / Failed / TimedOut / Cancelled.</summary>
internal sealed class SsmInvocation(SsmCommand command, string instanceId)
{
    public SsmCommand Command { get; } = command;
    public string InstanceId { get; } = instanceId;
    public string Status { get; set; } = CommandStatus.Pending;
    public string StatusDetails { get; set; } = CommandStatus.Pending;
    public int ResponseCode { get; set; } = -1;
    public string Stdout { get; set; } = "";
    public string Stderr { get; set; } = "";
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? EndedAt { get; set; }
    public ITimer? Timer { get; set; }
    public CancellationTokenSource? Cancellation { get; set; }

    public void Finish(string status, string details, int responseCode, DateTimeOffset now)
    {
        Status = status;
        StatusDetails = details;
        ResponseCode = responseCode;
        EndedAt = now;
        Timer?.Dispose();
        Timer = null;
    }
}
