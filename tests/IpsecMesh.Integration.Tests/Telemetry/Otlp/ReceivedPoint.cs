namespace IpsecMesh.Integration.Tests.Telemetry.Otlp;

/// <summary>One data point: its attributes and its value (a histogram's sum).</summary>
public sealed record ReceivedPoint(IReadOnlyDictionary<string, string> Attributes, double Value);
