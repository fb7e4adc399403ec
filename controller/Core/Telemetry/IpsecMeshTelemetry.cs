using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace IpsecMesh.Core.Telemetry;

/// <summary>The controller's one Meter and one ActivitySource, sharing one name. Instrument names are a contract (README).</summary>
public sealed class IpsecMeshTelemetry : IDisposable
{
    public const string Name = "IpsecMesh";

    public ActivitySource Source { get; } = new(Name);
    public Meter Meter { get; }

    public Counter<long> Reconciles { get; }
    public Histogram<double> ReconcileDuration { get; }
    public Counter<long> QueueRetries { get; }
    public Counter<long> CertificatesIssued { get; }
    public Counter<long> AwsCalls { get; }
    public Histogram<double> SsmCommandDuration { get; }
    public Counter<long> Heartbeat { get; }

    public IpsecMeshTelemetry(IMeterFactory? meterFactory = null)
    {
        Meter = meterFactory?.Create(Name) ?? new Meter(Name);
        Reconciles = Meter.CreateCounter<long>("ipsec_mesh.reconciles", "{reconcile}", "Reconciles by result (ok, requeue, error, terminal)");
        ReconcileDuration = Meter.CreateHistogram<double>("ipsec_mesh.reconcile.duration", "s", "Duration of one reconcile by result");
        QueueRetries = Meter.CreateCounter<long>("ipsec_mesh.workqueue.retries", "{retry}", "Keys re-queued with backoff after a failure");
        CertificatesIssued = Meter.CreateCounter<long>("ipsec_mesh.certificates.issued", "{certificate}", "Host certificates issued, by reason");
        AwsCalls = Meter.CreateCounter<long>("ipsec_mesh.aws.calls", "{call}", "AWS API calls by service, operation and outcome (ok, throttled, error)");
        SsmCommandDuration = Meter.CreateHistogram<double>("ipsec_mesh.ssm.command.duration", "s", "Time from SendCommand to the command's final status, by verb and status");
        Heartbeat = Meter.CreateCounter<long>("ipsec_mesh.heartbeat", "{beat}", "Incremented every 30 seconds while the controller's loops run");
    }

    public void Dispose()
    {
        Source.Dispose();
        Meter.Dispose();
    }
}
