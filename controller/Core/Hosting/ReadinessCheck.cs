using IpsecMesh.Core.Leadership;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace IpsecMesh.Core.Hosting;

/// <summary>
/// <c>/healthz/ready</c>: healthy ("ready") when this replica leads, AWS answered the start-up reads and the heartbeat is
/// recent; otherwise unhealthy with the first reason: "standby: another replica leads", "starting: AWS not reached yet",
/// "heartbeat stale".
/// </summary>
public sealed class ReadinessCheck(ControllerStatus status, ILeadership leadership, LivenessCheck liveness) : IHealthCheck
{
    /// <summary>The tag of this check's registration, which <c>/healthz/ready</c> selects.</summary>
    public const string Tag = "ready";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(
            !leadership.IsLeader ? HealthCheckResult.Unhealthy("standby: another replica leads")
            : !status.Started ? HealthCheckResult.Unhealthy("starting: AWS not reached yet")
            : liveness.IsLive ? HealthCheckResult.Healthy("ready")
            : HealthCheckResult.Unhealthy("heartbeat stale"));
}
