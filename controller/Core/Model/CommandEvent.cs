namespace IpsecMesh.Core.Model;

/// <summary>
/// A Run Command status change that SSM published to EventBridge (source <c>aws.ssm</c>): of one invocation
/// (<paramref name="InstanceId"/> set, detail-type "EC2 Command Invocation Status-change Notification") or of a
/// whole command (null, "EC2 Command Status-change Notification"). A hint only: the controller reads the
/// command's invocations (with outputs) from SSM itself, and only for its own commands.
/// </summary>
/// <param name="CommandId">SSM's command id, 36 characters.</param>
/// <param name="Status">The event's <c>status</c>, e.g. Success, Failed, TimedOut, Cancelled, InProgress.</param>
public sealed record CommandEvent(string CommandId, string? InstanceId, string DocumentName, string Status)
{
    /// <summary>Whether the invocation (or command) has ended: SSM's terminal statuses.</summary>
    public bool Ended => Status is "Success" or "Failed" or "TimedOut" or "Cancelled" or "DeliveryTimedOut" or "ExecutionTimedOut"
        or "Undeliverable" or "Terminated" or "InvalidPlatform" or "AccessDenied";
}
