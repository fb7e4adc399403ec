using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace IpsecMesh.Core.Telemetry;

/// <summary>The controller's one Meter and one ActivitySource, sharing one name. Instrument names are a contract (README).</summary>
public sealed class IpsecMeshTelemetry : IDisposable
{
    public const string Name = "IpsecMesh";
    public const string ReconcileSpan = "reconcile";
    public const string SsmCommandSpan = "ssm.command";

    private static readonly string[] ReconcileResults = ["ok", "requeue", "error", "terminal"];
    private static readonly string[] IssueReasons = ["enrol", "renew", "names", "ca"];
    private static readonly string[] RevokeReasons = ["off", "disabled", "tag_deleted", "terminated"];

    public ActivitySource Source { get; } = new(Name);
    public Meter Meter { get; }

    public Counter<long> Reconciles { get; }
    public Histogram<double> ReconcileDuration { get; }
    public Counter<long> QueueRetries { get; }
    public Counter<long> CertificatesIssued { get; }
    public Counter<long> CertificatesRevoked { get; }
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
        CertificatesRevoked = Meter.CreateCounter<long>("ipsec_mesh.certificates.revoked", "{instance}", "Instances whose certificates were revoked, by reason (off, disabled, tag_deleted, terminated)");
        AwsCalls = Meter.CreateCounter<long>("ipsec_mesh.aws.calls", "{call}", "AWS API calls by service, operation and outcome (ok, throttled, error)");
        SsmCommandDuration = Meter.CreateHistogram<double>("ipsec_mesh.ssm.command.duration", "s", "Time from SendCommand to the command's final status, by verb and status");
        Heartbeat = Meter.CreateCounter<long>("ipsec_mesh.heartbeat", "{beat}", "Incremented every 30 seconds while the controller's loops run");
    }

    /// <summary>Every documented counter series at zero, so an alarm sees 0 rather than no data before the first event.</summary>
    public void PublishZeros()
    {
        foreach (var result in ReconcileResults) Reconciles.Add(0, new TagList { { "result", result } });
        foreach (var reason in IssueReasons) CertificatesIssued.Add(0, new TagList { { "reason", reason } });
        foreach (var reason in RevokeReasons) CertificatesRevoked.Add(0, new TagList { { "reason", reason } });
        QueueRetries.Add(0);
        Heartbeat.Add(0);
    }

    /// <summary>
    /// A finished SSM command: its duration, and a span from SendCommand to the final status, child of the
    /// reconcile that saw it finish. The command outlives the reconcile that sent it, so it cannot be a child of that one.
    /// </summary>
    public void RecordSsmCommand(string commandId, IReadOnlyList<string> verbs, string status, DateTimeOffset sentAt, DateTimeOffset finishedAt)
    {
        var verbLabel = string.Join('+', verbs);
        SsmCommandDuration.Record(Math.Max(0, (finishedAt - sentAt).TotalSeconds), new TagList { { "verb", verbLabel }, { "status", status } });
        using var activity = Source.StartActivity(SsmCommandSpan, ActivityKind.Client, Activity.Current?.Context ?? default, startTime: sentAt);
        if (activity is null) return;
        activity.SetTag("rpc.system", "aws-api");
        activity.SetTag("ssm.command_id", commandId);
        activity.SetTag("verb", verbLabel);
        activity.SetTag("status", status);
        if (status != "Success") activity.SetStatus(ActivityStatusCode.Error, status);
        activity.SetEndTime(finishedAt.UtcDateTime < sentAt.UtcDateTime ? sentAt.UtcDateTime : finishedAt.UtcDateTime);
    }

    public void Dispose()
    {
        Source.Dispose();
        Meter.Dispose();
    }
}
