using Amazon.EC2.Model;
using IpsecMesh.Core.Cloud;

namespace IpsecMesh.Core.Tests.Cloud;

public sealed class InstanceArnsTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 5, 8, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("eu-west-1", "aws")]
    [InlineData("us-east-1", "aws")]
    [InlineData("cn-north-1", "aws-cn")]
    [InlineData("cn-northwest-1", "aws-cn")]
    [InlineData("us-gov-west-1", "aws-us-gov")]
    [InlineData("us-iso-east-1", "aws-iso")]
    public void Partition_follows_the_region(string region, string partition)
    {
        Assert.Equal(partition, InstanceArns.PartitionOf(region));
        Assert.Equal($"arn:{partition}:ec2:{region}:123456789012:instance/i-0abc", InstanceArns.Of(region, "123456789012", "i-0abc"));
    }

    [Fact]
    public void A_snapshot_carries_the_arn_of_the_reservations_owner_and_region()
    {
        var instance = new Instance { InstanceId = "i-0123456789abcdef0", State = new InstanceState { Name = "running" } };

        var snapshot = InstanceMapping.ToSnapshot(instance, "210987654321", "cn-north-1", Now);
        var ownerless = InstanceMapping.ToSnapshot(instance, null, "cn-north-1", Now);

        Assert.Equal("arn:aws-cn:ec2:cn-north-1:210987654321:instance/i-0123456789abcdef0", snapshot.InstanceArn);
        Assert.Equal("", ownerless.InstanceArn);
    }
}
