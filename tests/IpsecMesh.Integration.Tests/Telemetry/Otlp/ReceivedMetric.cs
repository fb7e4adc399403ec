namespace IpsecMesh.Integration.Tests.Telemetry.Otlp;

/// <summary>One OTLP metric as exported: name, unit, kind and its data points.</summary>
public sealed record ReceivedMetric(string Name, string Unit, string Kind, IReadOnlyList<ReceivedPoint> Points);
