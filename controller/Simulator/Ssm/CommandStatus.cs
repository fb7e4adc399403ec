namespace IpsecMesh.Simulator.Ssm;

/// <summary>SSM command invocation statuses, by their wire names.</summary>
internal static class CommandStatus
{
    public const string Pending = "Pending";
    public const string InProgress = "InProgress";
    public const string Success = "Success";
    public const string Failed = "Failed";
    public const string TimedOut = "TimedOut";
    public const string Cancelled = "Cancelled";

    public static bool IsTerminal(string status) => status is Success or Failed or TimedOut or Cancelled;
}
