using IpsecMesh.Core.Hosting;
using IpsecMesh.Core.Leadership;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Time.Testing;

namespace IpsecMesh.Core.Tests.Hosting;

/// <summary>The liveness and readiness checks behind <c>/healthz/live</c> and <c>/healthz/ready</c>: status and the one-line body.</summary>
public sealed class HealthChecksTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly ControllerStatus _status = new();

    private sealed class Leading(bool leads) : ILeadership
    {
        public bool IsLeader => leads;

        public Task<CancellationToken> WaitForLeadershipAsync(CancellationToken cancellationToken) => Task.FromResult(CancellationToken.None);
    }

    private async Task<(HealthStatus Status, string? Body)> LiveAsync()
    {
        var result = await new LivenessCheck(_status, _time).CheckHealthAsync(new HealthCheckContext(), TestContext.Current.CancellationToken);
        return (result.Status, result.Description);
    }

    private async Task<(HealthStatus Status, string? Body)> ReadyAsync(bool leads)
    {
        var result = await new ReadinessCheck(_status, new Leading(leads), new LivenessCheck(_status, _time))
            .CheckHealthAsync(new HealthCheckContext(), TestContext.Current.CancellationToken);
        return (result.Status, result.Description);
    }

    [Fact]
    public async Task Live_before_the_first_beat_and_while_beats_are_recent_then_stale_with_the_time_of_the_last()
    {
        Assert.Equal((HealthStatus.Healthy, "live"), await LiveAsync());
        _status.LastHeartbeat = _time.GetUtcNow();
        _time.Advance(LivenessCheck.StaleAfter - TimeSpan.FromSeconds(1));
        Assert.Equal((HealthStatus.Healthy, "live"), await LiveAsync());

        _time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal((HealthStatus.Unhealthy, "heartbeat stale since 2026-01-01T00:00:00.0000000+00:00"), await LiveAsync());
    }

    [Fact]
    public async Task Ready_only_when_leading_started_and_live_and_otherwise_the_first_reason()
    {
        Assert.Equal((HealthStatus.Unhealthy, "standby: another replica leads"), await ReadyAsync(leads: false));
        Assert.Equal((HealthStatus.Unhealthy, "starting: AWS not reached yet"), await ReadyAsync(leads: true));

        _status.Started = true;
        _status.LastHeartbeat = _time.GetUtcNow();
        Assert.Equal((HealthStatus.Healthy, "ready"), await ReadyAsync(leads: true));

        _time.Advance(LivenessCheck.StaleAfter);
        Assert.Equal((HealthStatus.Unhealthy, "heartbeat stale"), await ReadyAsync(leads: true));
    }
}
