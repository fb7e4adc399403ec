namespace IpsecMesh.Simulator.Ssm;

/// <summary>What one step (plugin) of an invocation did: its status, exit code and output.</summary>
internal sealed class PluginResult(string name)
{
    public string Name { get; } = name;
    public string Status { get; set; } = CommandStatus.Pending;
    public string StatusDetails { get; set; } = CommandStatus.Pending;
    public int ResponseCode { get; set; } = -1;
    public string Stdout { get; set; } = "";
    public string Stderr { get; set; } = "";
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? EndedAt { get; set; }

    public void Finish(string status, string details, int responseCode, DateTimeOffset now, string stdout = "", string stderr = "")
    {
        Status = status;
        StatusDetails = details;
        ResponseCode = responseCode;
        Stdout = stdout;
        Stderr = stderr;
        StartedAt ??= now;
        EndedAt = now;
    }
}
