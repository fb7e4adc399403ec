using Amazon;

namespace IpsecMesh.Core.Cloud;

/// <summary>EC2 instance ARNs, which DescribeInstances does not return: built from the region and the reservation's owner.</summary>
public static class InstanceArns
{
    public static string Of(string region, string accountId, string instanceId) =>
        $"arn:{PartitionOf(region)}:ec2:{region}:{accountId}:instance/{instanceId}";

    /// <summary>
    /// aws, aws-cn, aws-us-gov, aws-iso, …, from the SDK's partition data (region name patterns, so a new region of
    /// a known partition maps right). The host agent reads the same from IMDS <c>meta-data/services/partition</c>.
    /// </summary>
    public static string PartitionOf(string region) =>
        RegionEndpoint.GetBySystemName(region).PartitionName is { Length: > 0 } partition ? partition : "aws";
}
