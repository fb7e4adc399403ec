using IpsecMesh.Core.Telemetry;

namespace IpsecMesh.Core.Hosting;

/// <summary>The liveness beat of the leader term's loops: a counter and the time the health check reads.</summary>
public sealed class Heartbeat(ControllerStatus status, IpsecMeshTelemetry telemetry, TimeProvider time)
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);

    public Task BeatAsync(CancellationToken cancellationToken)
    {
        telemetry.Heartbeat.Add(1);
        status.LastHeartbeat = time.GetUtcNow();
        return Task.CompletedTask;
    }
}
