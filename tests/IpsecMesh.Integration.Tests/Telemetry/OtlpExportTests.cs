using IpsecMesh.Integration.Tests.Support;
using IpsecMesh.Integration.Tests.Telemetry.Otlp;

namespace IpsecMesh.Integration.Tests.Telemetry;

/// <summary>The controller exports its documented metrics and spans over OTLP/HTTP protobuf to a real receiver.</summary>
[Collection(ProcessWideTelemetryCollection.Name)]
public sealed class OtlpExportTests
{
    /// <summary>Every metric of docs/observability.md with its unit.</summary>
    public static readonly IReadOnlyDictionary<string, string> DocumentedMetrics = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["ipsec_mesh.instances"] = "{instance}",
        ["ipsec_mesh.reconciles"] = "{reconcile}",
        ["ipsec_mesh.reconcile.duration"] = "s",
        ["ipsec_mesh.workqueue.depth"] = "{item}",
        ["ipsec_mesh.workqueue.retries"] = "{retry}",
        ["ipsec_mesh.certificates.issued"] = "{certificate}",
        ["ipsec_mesh.certificate.min_remaining"] = "s",
        ["ipsec_mesh.aws.calls"] = "{call}",
        ["ipsec_mesh.ssm.command.duration"] = "s",
        ["ipsec_mesh.heartbeat"] = "{beat}",
        ["ipsec_mesh.host.ipsec_sas"] = "{sa}",
        ["ipsec_mesh.host.ike_sas"] = "{sa}",
        ["ipsec_mesh.host.ike_failures"] = "{failure}",
        ["ipsec_mesh.host.esp_errors"] = "{error}",
        ["ipsec_mesh.host.shunts"] = "{shunt}",
        ["ipsec_mesh.hosts.reporting"] = "{host}",
        ["ipsec_mesh.crl.stored_rejected"] = "{crl}",
        ["ipsec_mesh.crl.entries_kept"] = "{entry}",
        ["ipsec_mesh.certificates.revoked"] = "{instance}",
        ["ipsec_mesh.rollout.wave"] = "{wave}",
        ["ipsec_mesh.rollout.stopped"] = "{rollout}",
        ["ipsec_mesh.rollout.hosts_on_target"] = "{instance}",
        ["ipsec_mesh.config.rejected"] = "{error}",
    };

    [Fact]
    public async Task MetricsAndSpansArriveOverOtlpUnderTheDocumentedNamesAndUnits()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var receiver = new OtlpReceiver();
        await using var mesh = new MeshFixture(settings: OtlpSettings(receiver));
        var instances = Enumerable.Range(0, 3).Select(_ => mesh.Launch()).ToList();
        await mesh.StartControllerAsync(ct);
        foreach (var instance in instances) await mesh.WaitForTagAsync(instance, "enabled");

        await mesh.WaitForAsync(() => MissingMetrics(receiver).Count == 0 && MissingSpans(receiver).Count == 0,
            "every documented metric and span at the receiver", TimeSpan.FromSeconds(90));

        Assert.Empty(receiver.Problems);
        var units = receiver.Metrics.GroupBy(m => m.Name).ToDictionary(g => g.Key, g => g.Select(m => m.Unit).Distinct().ToList());
        foreach (var (name, unit) in DocumentedMetrics) Assert.Equal([unit], units[name]);
        Assert.Contains(receiver.Metrics, m => m.Name == "ipsec_mesh.aws.calls"
            && m.Points.Any(p => p.Attributes.GetValueOrDefault("service") == "ec2" && p.Attributes.GetValueOrDefault("operation") == "DescribeInstances"
                && p.Attributes.GetValueOrDefault("outcome") == "ok" && p.Value > 0));
        Assert.Contains(receiver.Metrics, m => m.Name == "ipsec_mesh.instances"
            && m.Points.Any(p => p.Attributes.GetValueOrDefault("phase") == "enabled" && p.Value >= 3));
    }

    /// <summary>The .NET runtime's metrics (OpenTelemetry.Instrumentation.Runtime): GC, heap, thread pool, memory.</summary>
    public static readonly IReadOnlyList<string> RuntimeMetrics =
    [
        "dotnet.gc.collections", "dotnet.gc.heap.total_allocated", "dotnet.gc.last_collection.heap.size",
        "dotnet.thread_pool.thread.count", "dotnet.thread_pool.queue.length", "dotnet.process.memory.working_set",
    ];

    [Fact]
    public async Task RuntimeMetricsOfGcHeapAndThreadPoolArriveBesideTheControllers()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var receiver = new OtlpReceiver();
        await using var mesh = new MeshFixture(settings: OtlpSettings(receiver));
        await mesh.StartControllerAsync(ct);
        // Something for the GC to count.
        GC.Collect();

        await mesh.WaitForAsync(() => RuntimeMetrics.All(name => receiver.Metrics.Any(m => m.Name == name && m.Points.Count > 0)),
            "the runtime metrics at the receiver", TimeSpan.FromSeconds(60));

        Assert.Empty(receiver.Problems);
        Assert.Contains(receiver.Metrics, m => m.Name == "dotnet.process.memory.working_set" && m.Unit == "By" && m.Points.Any(p => p.Value > 1_000_000));
        Assert.Contains(receiver.Metrics, m => m.Name == "dotnet.thread_pool.thread.count" && m.Points.Any(p => p.Value >= 1));
    }

    [Fact]
    public async Task AwsCallAndSsmCommandSpansBelongToTheirReconcileTraces()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var receiver = new OtlpReceiver();
        await using var mesh = new MeshFixture(settings: OtlpSettings(receiver));
        var instance = mesh.Launch();
        await mesh.StartControllerAsync(ct);
        await mesh.WaitForTagAsync(instance, "enabled");
        await mesh.WaitForAsync(() => MissingSpans(receiver).Count == 0, "the reconcile, AWS call and SSM command spans", TimeSpan.FromSeconds(60));
        // A parent span ends (and is exported) after its children: wait until the command span's reconcile has arrived too.
        await mesh.WaitForAsync(() =>
        {
            var ids = receiver.Spans.Where(s => s.Name == "reconcile").Select(s => s.SpanId).ToHashSet(StringComparer.Ordinal);
            return receiver.Spans.Any(s => s.Name == "ssm.command" && ids.Contains(s.ParentSpanId));
        }, "the reconcile that saw the command finish", TimeSpan.FromSeconds(60));

        var spans = receiver.Spans;
        var reconciles = spans.Where(s => s.Name == "reconcile" && s.Attributes.GetValueOrDefault("instance.id") == instance.InstanceId)
            .ToDictionary(s => s.SpanId, StringComparer.Ordinal);
        Assert.NotEmpty(reconciles);
        bool ServesAReconcile(ReceivedSpan span) => reconciles.ContainsKey(span.ParentSpanId) || span.LinkedSpanIds.Any(reconciles.ContainsKey);
        // One instance alone in its batch window: the batched calls are plain children of its reconcile.
        Assert.Contains(spans, s => s.Name == "ec2.DescribeInstances" && reconciles.ContainsKey(s.ParentSpanId));
        Assert.Contains(spans, s => s.Name == "ssm.SendCommand" && ServesAReconcile(s));
        // Command state comes from the watcher's sweep (its own loop, not a reconcile): a listing span, never a Get per instance.
        Assert.Contains(spans, s => s.Name == "ssm.ListCommandInvocations");
        Assert.DoesNotContain(spans, s => s.Name == "ssm.GetCommandInvocation");
        var command = Assert.Single(spans, s => s.Name == "ssm.command" && reconciles.ContainsKey(s.ParentSpanId) && s.Attributes.GetValueOrDefault("verb") == "install+csr");
        Assert.Equal("Success", command.Attributes["status"]);
        Assert.Equal(reconciles[command.ParentSpanId].TraceId, command.TraceId);
    }

    [Fact]
    public async Task OneBatchedCallServingSeveralReconcilesIsLinkedToEachOfThem()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var receiver = new OtlpReceiver();
        await using var mesh = new MeshFixture(settings: OtlpSettings(receiver));
        var instances = Enumerable.Range(0, 6).Select(_ => mesh.Launch()).ToList();
        await mesh.StartControllerAsync(ct);
        foreach (var instance in instances) await mesh.WaitForTagAsync(instance, "enabled");
        await mesh.WaitForAsync(() => receiver.Spans.Any(s => s.LinkedSpanIds.Count > 1), "a batched call span with several links", TimeSpan.FromSeconds(60));
        // The reconciles end (and are exported) after the call they waited for: on a loaded machine a later batch brings them.
        await mesh.WaitForAsync(() =>
        {
            var ids = receiver.Spans.Where(s => s.Name == "reconcile").Select(s => s.SpanId).ToHashSet(StringComparer.Ordinal);
            return receiver.Spans.First(s => s.LinkedSpanIds.Count > 1).LinkedSpanIds.All(ids.Contains);
        }, "the reconciles the batched call links to", TimeSpan.FromSeconds(30));

        var reconcileIds = receiver.Spans.Where(s => s.Name == "reconcile").Select(s => s.SpanId).ToHashSet(StringComparer.Ordinal);
        var batched = receiver.Spans.First(s => s.LinkedSpanIds.Count > 1);
        Assert.Equal("", batched.ParentSpanId);
        Assert.Equal(batched.LinkedSpanIds.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), batched.Attributes["batch.submitters"]);
        Assert.All(batched.LinkedSpanIds, id => Assert.Contains(id, reconcileIds));
    }

    internal static Dictionary<string, string?> OtlpSettings(OtlpReceiver receiver) => new(StringComparer.Ordinal)
    {
        ["OTEL_EXPORTER_OTLP_ENDPOINT"] = receiver.Endpoint,
        ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
        // Milliseconds, as the OpenTelemetry specification defines both.
        ["OTEL_METRIC_EXPORT_INTERVAL"] = "300",
        ["OTEL_BSP_SCHEDULE_DELAY"] = "100",
        ["OTEL_BSP_MAX_QUEUE_SIZE"] = "65536",
        // Simulated time runs 60 times faster: host health every half a second of wall time.
        ["IpsecMesh:HostStatusInterval"] = "00:00:30",
    };

    private static List<string> MissingMetrics(OtlpReceiver receiver)
    {
        var seen = receiver.Metrics.Where(m => m.Points.Count > 0).Select(m => m.Name).ToHashSet(StringComparer.Ordinal);
        return [.. DocumentedMetrics.Keys.Where(name => !seen.Contains(name))];
    }

    private static List<string> MissingSpans(OtlpReceiver receiver)
    {
        var seen = receiver.Spans.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        return [.. new[] { "reconcile", "ec2.DescribeInstances", "ssm.SendCommand", "ssm.ListCommandInvocations", "ssm.command" }.Where(n => !seen.Contains(n))];
    }
}
