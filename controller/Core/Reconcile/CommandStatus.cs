namespace IpsecMesh.Core.Reconcile;

public enum CommandStatus
{
    Pending,
    InProgress,
    Success,
    Failed,
    TimedOut,
    Cancelled,
}
