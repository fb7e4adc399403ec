using System.Globalization;

namespace IpsecMesh.Integration.Tests.Telemetry.Otlp;

/// <summary>Decodes OTLP/HTTP protobuf requests (opentelemetry-proto, collector/*/v1) into metrics and spans.</summary>
public static class OtlpDecoder
{
    // ExportMetricsServiceRequest.resource_metrics = 1; ResourceMetrics.scope_metrics = 2; ScopeMetrics.metrics = 2.
    public static IEnumerable<ReceivedMetric> Metrics(byte[] body) =>
        from resource in ProtoMessage.Parse(body).Messages(1)
        from scope in resource.Messages(2)
        from metric in scope.Messages(2)
        select Metric(metric);

    // ExportTraceServiceRequest.resource_spans = 1; ResourceSpans.scope_spans = 2; ScopeSpans.spans = 2.
    public static IEnumerable<ReceivedSpan> Spans(byte[] body) =>
        from resource in ProtoMessage.Parse(body).Messages(1)
        from scope in resource.Messages(2)
        from span in scope.Messages(2)
        select new ReceivedSpan(span.Text(5) ?? "", Hex(span.Bytes(1)), Hex(span.Bytes(2)), Hex(span.Bytes(4)),
            [.. span.Messages(13).Select(link => Hex(link.Bytes(2)))], Attributes(span.Messages(9)));

    private static ReceivedMetric Metric(ProtoMessage metric)
    {
        // Metric: name 1, unit 3; gauge 5, sum 7, histogram 9, each with data_points = 1.
        var (kind, data) = metric.Has(5) ? ("gauge", metric.Message(5)) : metric.Has(7) ? ("sum", metric.Message(7)) : metric.Has(9) ? ("histogram", metric.Message(9)) : ("other", null);
        var points = data?.Messages(1).Select(p => kind == "histogram"
            ? new ReceivedPoint(Attributes(p.Messages(9)), p.Real(5))
            : new ReceivedPoint(Attributes(p.Messages(7)), p.Has(6) ? (long)p.Scalar(6) : p.Real(4))).ToList() ?? [];
        return new ReceivedMetric(metric.Text(1) ?? "", metric.Text(3) ?? "", kind, points);
    }

    // KeyValue: key 1, value 2; AnyValue: string 1, bool 2, int 3, double 4.
    private static Dictionary<string, string> Attributes(IEnumerable<ProtoMessage> keyValues) =>
        keyValues.ToDictionary(kv => kv.Text(1) ?? "", kv => kv.Message(2) is { } v ? Value(v) : "", StringComparer.Ordinal);

    private static string Value(ProtoMessage value) =>
        value.Has(1) ? value.Text(1) ?? ""
        : value.Has(2) ? (value.Scalar(2) != 0 ? "true" : "false")
        : value.Has(3) ? ((long)value.Scalar(3)).ToString(CultureInfo.InvariantCulture)
        : value.Has(4) ? value.Real(4).ToString(CultureInfo.InvariantCulture)
        : "";

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);
}
