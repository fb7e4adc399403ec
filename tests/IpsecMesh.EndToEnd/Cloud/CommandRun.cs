namespace IpsecMesh.EndToEnd.Cloud;

/// <summary>
/// One SSM command on one instance as SSM reports it: its command id, comment, when it was sent, ran and ended (null
/// while unknown).
/// </summary>
public sealed record CommandRun(string CommandId, string Comment, DateTimeOffset Requested, DateTimeOffset? Started, DateTimeOffset? Finished, string Status)
{
    /// <summary>How long it ran on the host, or null while it runs.</summary>
    public TimeSpan? Ran => Started is { } s && Finished is { } f ? f - s : null;

    /// <summary>From SendCommand to its final status (what the controller waited for).</summary>
    public TimeSpan? Took => Finished is { } f ? f - Requested : null;
}
