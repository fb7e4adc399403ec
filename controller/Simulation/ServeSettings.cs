namespace IpsecMesh.Simulation;

/// <summary>What <c>ipsec-mesh simulate --serve</c> was asked to do.</summary>
public sealed record ServeSettings
{
    public int Port { get; init; } = 4566;
    public int Instances { get; init; } = 3;
    public int Seed { get; init; } = 1;
    public bool AwsThrottling { get; init; } = true;
    public double Speed { get; init; } = 1;
    /// <summary>Tags every launched instance carries (besides Name=sim-host-N).</summary>
    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();
    public string? StateDirectory { get; init; }
    public string? EnvFile { get; init; }
    /// <summary>An empty account (no queues, bucket, keys, rules, instances, CA): for deploy/localstack/init-aws.sh.</summary>
    public bool Empty { get; init; }
    public bool CreateCa { get; init; } = true;
}
