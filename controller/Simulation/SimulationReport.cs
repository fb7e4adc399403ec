namespace IpsecMesh.Simulation;

/// <summary>The one JSON object <c>simulate --json</c> prints at the end.</summary>
public sealed record SimulationReport
{
    public required int Instances { get; init; }
    public required bool Converged { get; init; }
    public required IReadOnlyDictionary<string, int> Phases { get; init; }
    public required IReadOnlyDictionary<string, long> ApiCalls { get; init; }
    public required long Throttled { get; init; }
    public required long CertificatesIssued { get; init; }
    public required double SimulatedSeconds { get; init; }
    public required double WallSeconds { get; init; }
    public double? SimulatedSecondsToConverge { get; init; }
    public required double Ec2SsmCallsPerInstance { get; init; }
    /// <summary>SSM calls during enrolment / N (SendCommand, ListCommandInvocations, GetCommandInvocation, DescribeInstanceInformation, …).</summary>
    public required double SsmCallsPerInstance { get; init; }
    /// <summary>EC2 CreateTags during enrolment / N: at least one per instance, since each writes its own sealed certificate expiry.</summary>
    public required double CreateTagsPerInstance { get; init; }
    /// <summary>
    /// Of <see cref="CreateTagsPerInstance"/>, the attempts EC2 refused with RequestLimitExceeded (CreateTags' bucket: 100, 10 a
    /// second) and the SDK retried. How many depends on how fast the controller runs in simulated time, so on the machine.
    /// </summary>
    public required double CreateTagsThrottledPerInstance { get; init; }
    /// <summary>EC2 calls other than CreateTags during enrolment / N (DescribeInstances pages, DescribeSecurityGroups).</summary>
    public required double OtherEc2CallsPerInstance { get; init; }
    public double? SteadyCallsPerResyncPer1000 { get; init; }
    /// <summary>The calls of that one steady-state resync by API ("ec2:DescribeInstances": 1, "ec2:DescribeNetworkInterfaces": 1, "ec2:DescribeVpcs": 1, …).</summary>
    public IReadOnlyDictionary<string, long>? SteadyResyncCalls { get; init; }
    public required double CertificatesPerInstance { get; init; }
    public required double PeakRssMb { get; init; }
    public required double CpuSeconds { get; init; }
    public required double LowerBoundSeconds { get; init; }
    public required int MaxConcurrentCommandsPerInstance { get; init; }
    /// <summary>The first (at most 10) commands that started on an instance while another ran there, with what ran.</summary>
    public IReadOnlyList<string> OverlappingCommands { get; init; } = [];
    public required int DeadLetterMessages { get; init; }
    public required IReadOnlyDictionary<string, double> Metrics { get; init; }
    public string? Endpoint { get; init; }
}
