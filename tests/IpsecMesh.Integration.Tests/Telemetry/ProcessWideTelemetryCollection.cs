namespace IpsecMesh.Integration.Tests.Telemetry;

/// <summary>
/// OpenTelemetry's listeners hear every <c>IpsecMesh</c> Meter and ActivitySource in the process, so an
/// exporting test would also carry (and overflow its queues with) every concurrently running controller's
/// telemetry: these tests run alone.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessWideTelemetryCollection
{
    public const string Name = "process-wide telemetry";
}
