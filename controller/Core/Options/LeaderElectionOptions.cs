namespace IpsecMesh.Core.Options;

/// <summary>Lease-based leader election through an S3 object written with conditional writes.</summary>
public sealed record LeaderElectionOptions
{
    public bool Enabled { get; init; }
    public string LeaseKey { get; init; } = "leader/lease.json";
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(15);
    public TimeSpan RenewDeadline { get; init; } = TimeSpan.FromSeconds(10);
    public TimeSpan RetryPeriod { get; init; } = TimeSpan.FromSeconds(2);
}
