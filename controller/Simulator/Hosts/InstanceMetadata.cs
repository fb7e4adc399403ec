namespace IpsecMesh.Simulator;

/// <summary>
/// What IMDS tells an instance about itself: the identity document's instanceId, region and accountId, and
/// <c>meta-data/services/partition</c>. The host agent builds its instance ARN from these.
/// </summary>
public sealed record InstanceMetadata(string InstanceId, string Region, string AccountId, string Partition)
{
    /// <summary>The instance ARN the host sends as KMS encryption context, built as the agent builds it.</summary>
    public string InstanceArn => $"arn:{Partition}:ec2:{Region}:{AccountId}:instance/{InstanceId}";
}
