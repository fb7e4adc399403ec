using System.Diagnostics;
using System.Diagnostics.Metrics;
using IpsecMesh.Core.Hosts;
using IpsecMesh.Core.Options;
using IpsecMesh.Core.Queue;
using IpsecMesh.Core.Reconcile;
using IpsecMesh.Core.State;

namespace IpsecMesh.Core.Telemetry;

/// <summary>The observable gauges: read from the controller's state when a reader collects, never pushed.</summary>
public sealed class FleetGauges
{
    public FleetGauges(IpsecMeshTelemetry telemetry, InstanceStore store, WorkQueue<string> queue, CertificateCache certificates,
        HostHealthCollector hosts, IpsecMeshOptions options, TimeProvider time)
    {
        var meter = telemetry.Meter;
        meter.CreateObservableGauge("ipsec_mesh.instances", () => Phases(store, options), "{instance}", "Tagged instances by phase (the main tag's value)");
        meter.CreateObservableGauge("ipsec_mesh.workqueue.depth", () => queue.Depth, "{item}", "Instance keys waiting for a worker");
        meter.CreateObservableGauge("ipsec_mesh.certificate.min_remaining", () => MinRemaining(store, certificates, options, time), "s",
            "Least remaining lifetime of an enabled instance's certificate");
        meter.CreateObservableGauge("ipsec_mesh.host.ipsec_sas", () => PerHost(hosts, h => h.IpsecSas), "{sa}", "IPsec (Child) SAs per host");
        meter.CreateObservableGauge("ipsec_mesh.host.ike_sas", () => PerHost(hosts, h => h.IkeSas), "{sa}", "IKE SAs per host");
        meter.CreateObservableGauge("ipsec_mesh.host.ike_failures", () => PerHost(hosts, h => h.IkeFailures), "{failure}", "IKEv2 exchanges that failed, per host, since pluto started");
        meter.CreateObservableGauge("ipsec_mesh.host.esp_errors", () => PerHost(hosts, h => h.EspErrors), "{error}", "Kernel XFRM error counters summed, per host");
        meter.CreateObservableGauge("ipsec_mesh.host.shunts", () => Shunts(hosts), "{shunt}", "Opportunistic IPsec shunts per host and kind");
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

    private static IEnumerable<Measurement<long>> PerHost(HostHealthCollector hosts, Func<HostHealth, long> value) =>
        hosts.Latest.Select(h => new Measurement<long>(value(h), new TagList { { "instance.id", h.InstanceId } }));

    private static IEnumerable<Measurement<long>> Shunts(HostHealthCollector hosts) =>
        hosts.Latest.SelectMany(h => h.Shunts.Select(s => new Measurement<long>(s.Value, new TagList { { "instance.id", h.InstanceId }, { "kind", s.Key } })));
}
