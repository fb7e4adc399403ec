namespace IpsecMesh.Simulation;

/// <summary>What <c>ipsec-mesh simulate</c> was asked to do.</summary>
public sealed record SimulationSettings
{
    public int Instances { get; init; } = 50;
    public int Seed { get; init; } = 1;
    public bool Chaos { get; init; }
    public bool AwsThrottling { get; init; } = true;
    public double Speed { get; init; } = 30;
    public TimeSpan WallTimeout { get; init; } = TimeSpan.FromMinutes(10);
    public string? ExportDirectory { get; init; }
    public bool Json { get; init; }
    public bool Listen { get; init; }
    public bool Verbose { get; init; }
}
