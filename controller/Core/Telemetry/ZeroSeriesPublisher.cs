using Microsoft.Extensions.Hosting;

namespace IpsecMesh.Core.Telemetry;

/// <summary>
/// Publishes every documented counter series at zero once the OpenTelemetry providers listen: registered
/// after them, so its start runs after theirs and the zeros reach the exporter.
/// </summary>
public sealed class ZeroSeriesPublisher(IpsecMeshTelemetry telemetry) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        telemetry.PublishZeros();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
