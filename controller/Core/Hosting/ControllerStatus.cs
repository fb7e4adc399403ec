namespace IpsecMesh.Core.Hosting;

/// <summary>What the health endpoints report: the loops run (live) and AWS answered start-up while this replica leads (ready).</summary>
public sealed class ControllerStatus
{
    private long _lastHeartbeatTicks;
    private int _started;

    public bool Started
    {
        get => Volatile.Read(ref _started) == 1;
        set => Volatile.Write(ref _started, value ? 1 : 0);
    }

    public DateTimeOffset? LastHeartbeat
    {
        get => Interlocked.Read(ref _lastHeartbeatTicks) is var t && t == 0 ? null : new DateTimeOffset(t, TimeSpan.Zero);
        set => Interlocked.Exchange(ref _lastHeartbeatTicks, value?.UtcTicks ?? 0);
    }
}
