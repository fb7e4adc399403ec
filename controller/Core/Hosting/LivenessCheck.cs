using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace IpsecMesh.Core.Hosting;

/// <summary>
/// <c>/healthz/live</c>: healthy ("live") unless the loops' heartbeat is older than two minutes ("heartbeat stale since
/// &lt;ISO-8601&gt;"). Before the first beat (start-up reads, or standby) the process counts as alive.
/// </summary>
public sealed class LivenessCheck(ControllerStatus status, TimeProvider time) : IHealthCheck
{
    /// <summary>The tag of this check's registration, which <c>/healthz/live</c> selects.</summary>
    public const string Tag = "live";

    /// <summary>How old the heartbeat may be before the process counts as stuck.</summary>
    public static readonly TimeSpan StaleAfter = TimeSpan.FromMinutes(2);

    /// <summary>Whether the heartbeat is recent (or has not started yet).</summary>
    public bool IsLive => status.LastHeartbeat is not { } beat || time.GetUtcNow() - beat < StaleAfter;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(IsLive ? HealthCheckResult.Healthy("live") : HealthCheckResult.Unhealthy($"heartbeat stale since {status.LastHeartbeat:o}"));
}
