namespace IpsecMesh.Simulator;

/// <summary>How the simulated AWS behaves. Immutable; <see cref="Validate"/> reports every problem at once.</summary>
public sealed record SimulatorOptions
{
    /// <summary>Seeds ids, fault draws and virtual hosts, so a run can be repeated.</summary>
    public int Seed { get; init; } = 1;
    public string Region { get; init; } = "us-east-1";
    public string AccountId { get; init; } = "123456789012";

    /// <summary>The region's partition, as in ARNs and IMDS <c>services/partition</c>: aws-cn, aws-us-gov, else aws.</summary>
    public string Partition =>
        Region.StartsWith("cn-", StringComparison.Ordinal) ? "aws-cn"
        : Region.StartsWith("us-gov-", StringComparison.Ordinal) ? "aws-us-gov"
        : "aws";
    /// <summary>The tag key whose changes the EventBridge rule forwards to the queue.</summary>
    public string WatchedTagKey { get; init; } = "IPSec";
    public ThrottleProfile Throttle { get; init; } = ThrottleProfile.Aws;
    public FaultOptions Faults { get; init; } = FaultOptions.None;
    public string QueueName { get; init; } = "ipsec-mesh-events";
    public string DeadLetterQueueName { get; init; } = "ipsec-mesh-events-dlq";
    /// <summary>Receives of one message before the queue moves it to the dead-letter queue.</summary>
    public int MaxReceiveCount { get; init; } = 5;
    public TimeSpan QueueVisibilityTimeout { get; init; } = TimeSpan.FromSeconds(30);
    public string BucketName { get; init; } = "ipsec-mesh-simulated";
    /// <summary>Time between SendCommand and an online agent picking the command up (Pending → InProgress).</summary>
    public TimeSpan CommandDeliveryLatency { get; init; } = TimeSpan.FromMilliseconds(500);
    /// <summary>Launch emits pending/running state changes (and a tag change when launched with the watched key).</summary>
    public bool EmitLaunchEvents { get; init; } = true;
    /// <summary>
    /// An account with nothing in it but the default VPC: no queues, bucket, KMS keys or EventBridge rules (what
    /// deploy/localstack/init-aws.sh creates). Off: the stack's resources exist from the start.
    /// </summary>
    public bool Empty { get; init; }

    public static SimulatorOptions Default { get; } = new();

    /// <summary>AWS throttling plus <see cref="FaultOptions.Chaos"/>.</summary>
    public static SimulatorOptions Chaos { get; } = new() { Faults = FaultOptions.Chaos };

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>(Faults.Validate());
        if (string.IsNullOrWhiteSpace(Region)) errors.Add("Region must not be empty");
        if (AccountId.Length != 12 || !AccountId.All(char.IsAsciiDigit)) errors.Add($"AccountId must be 12 digits, was '{AccountId}'");
        if (string.IsNullOrWhiteSpace(WatchedTagKey) || WatchedTagKey.Length > 128) errors.Add("WatchedTagKey must be 1 to 128 characters");
        if (MaxReceiveCount is < 1 or > 1000) errors.Add($"MaxReceiveCount must be within 1..1000, was {MaxReceiveCount}");
        if (QueueVisibilityTimeout < TimeSpan.Zero || QueueVisibilityTimeout > TimeSpan.FromHours(12))
            errors.Add($"QueueVisibilityTimeout must be within 0..12h, was {QueueVisibilityTimeout}");
        if (CommandDeliveryLatency < TimeSpan.Zero) errors.Add($"CommandDeliveryLatency must not be negative, was {CommandDeliveryLatency}");
        if (string.IsNullOrWhiteSpace(QueueName) || QueueName == DeadLetterQueueName) errors.Add("QueueName must be set and differ from DeadLetterQueueName");
        if (BucketName.Length is < 3 or > 63 || BucketName.Any(c => !(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '.')))
            errors.Add($"BucketName '{BucketName}' is not a valid S3 bucket name");
        foreach (var (pattern, bucket) in Throttle.Rules)
            if (bucket.Capacity < 1 || bucket.RefillPerSecond <= 0) errors.Add($"Throttle rule '{pattern}' needs Capacity >= 1 and RefillPerSecond > 0");
        return errors;
    }
}
