namespace IpsecMesh.Core.Model;

public enum CommandStatus
{
    Pending,
    InProgress,
    Success,
    Failed,
    TimedOut,
    Cancelled,
}
