using System.Diagnostics;
using System.Diagnostics.Metrics;
using IpsecMesh.Core.Model;
using IpsecMesh.Core.Options;
using IpsecMesh.Core.Queue;
using IpsecMesh.Core.State;
using IpsecMesh.Core.Telemetry;

namespace IpsecMesh.Core.Hosting;

/// <summary>The fleet's observable gauges (instances by phase, work queue depth, least certificate lifetime left): read from the controller's state when a reader collects, never pushed.</summary>
public sealed class FleetGauges
{
    public FleetGauges(IpsecMeshTelemetry telemetry, InstanceStore store, WorkQueue<string> queue, CertificateCache certificates, IpsecMeshOptions options, TimeProvider time)
    {
        var meter = telemetry.Meter;
        meter.CreateObservableGauge("ipsec_mesh.instances", () => Phases(store, options), "{instance}", "Tagged instances by phase (the main tag's value)");
        meter.CreateObservableGauge("ipsec_mesh.workqueue.depth", () => queue.Depth, "{item}", "Instance keys waiting for a worker");
        meter.CreateObservableGauge("ipsec_mesh.certificate.min_remaining", () => MinRemaining(store, certificates, options, time), "s",
            "Least remaining lifetime of an enabled instance's certificate");
    }

    private static IEnumerable<Measurement<long>> Phases(InstanceStore store, IpsecMeshOptions options)
    {
        var counts = store.CountByPhase(options.TagKey);
        // Every phase reported, zeros included, so an alarm on "failed" sees 0 rather than missing data.
        foreach (var phase in new[] { TagValues.Todo, TagValues.Enabled, TagValues.Failed, TagValues.Off, TagValues.Disabled })
            yield return new Measurement<long>(counts.GetValueOrDefault(phase), new TagList { { "phase", phase } });
    }

    private static IEnumerable<Measurement<double>> MinRemaining(InstanceStore store, CertificateCache certificates, IpsecMeshOptions options, TimeProvider time)
    {
        var least = certificates.MinimumRemaining(time.GetUtcNow(),
            id => store.TryGet(id, out var r) && r.Snapshot?.Tag(options.TagKey) == TagValues.Enabled);
        if (least is { } value) yield return new Measurement<double>(value.TotalSeconds);
    }
}
