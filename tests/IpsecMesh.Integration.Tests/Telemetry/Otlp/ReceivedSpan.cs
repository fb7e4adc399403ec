namespace IpsecMesh.Integration.Tests.Telemetry.Otlp;

/// <summary>One OTLP span as exported; ids in lower-case hex, the parent empty for a root span.</summary>
public sealed record ReceivedSpan(string Name, string TraceId, string SpanId, string ParentSpanId,
    IReadOnlyList<string> LinkedSpanIds, IReadOnlyDictionary<string, string> Attributes);
