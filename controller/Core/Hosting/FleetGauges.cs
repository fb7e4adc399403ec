using System.Diagnostics;
using System.Diagnostics.Metrics;
using IpsecMesh.Core.Agents;
using IpsecMesh.Core.Desired;
using IpsecMesh.Core.Model;
using IpsecMesh.Core.Options;
using IpsecMesh.Core.Queue;
using IpsecMesh.Core.Rollout;
using IpsecMesh.Core.State;
using IpsecMesh.Core.Telemetry;
using IpsecMesh.Pki;

namespace IpsecMesh.Core.Hosting;

/// <summary>The observable instruments: read from the controller's state (and the PKI's counts) when a reader collects, never pushed.</summary>
public sealed class FleetGauges
{
    public FleetGauges(IpsecMeshTelemetry telemetry, InstanceStore store, WorkQueue<string> queue, CertificateCache certificates,
        HostHealthCollector hosts, ConfigRollout rollout, DesiredStateProvider desired, IpsecMeshOptions options, TimeProvider time, PkiCounters pki)
    {
        var meter = telemetry.Meter;
        meter.CreateObservableGauge("ipsec_mesh.config.rejected", () => desired.IsLoaded ? desired.Current.RejectedErrors.Count : 0, "{error}",
            "Errors in the newest mesh policy under config/ (0 when it is valid); while above 0 the last valid policy stays in force");
        meter.CreateObservableGauge("ipsec_mesh.rollout.wave", () => rollout.Progress.TargetId is null ? -1 : rollout.Progress.Wave, "{wave}",
            "The wave a config roll-out has reached (0: the canaries), -1 when none runs");
        meter.CreateObservableGauge("ipsec_mesh.rollout.stopped", () => rollout.Progress.Stopped is null ? 0 : 1, "{rollout}",
            "1 while a config roll-out is stopped by a host that failed to apply it");
        meter.CreateObservableGauge("ipsec_mesh.rollout.hosts_on_target", () => rollout.Progress.OnTarget, "{instance}",
            "Enabled hosts that run the config being rolled out");
        meter.CreateObservableGauge("ipsec_mesh.instances", () => Phases(store, options), "{instance}", "Tagged instances by phase (the main tag's value)");
        meter.CreateObservableGauge("ipsec_mesh.workqueue.depth", () => queue.Depth, "{item}", "Instance keys waiting for a worker");
        meter.CreateObservableGauge("ipsec_mesh.certificate.min_remaining", () => MinRemaining(store, certificates, options, time), "s",
            "Least remaining lifetime of an enabled instance's certificate");
        Hosts = new HostHealthGauges(meter, hosts, options);
        Pki = new PkiCounterInstruments(meter, pki);
    }

    public HostHealthGauges Hosts { get; }

    public PkiCounterInstruments Pki { get; }

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
