using Amazon.EC2.Model;

namespace IpsecMesh.LocalStack.Tests;

/// <summary>The tag writes the controller makes (only its own keys) round-trip through EC2.</summary>
public class TagFlowTests(LocalStackFixture localStack)
{
    [Fact]
    public async Task Controller_tags_replace_todo_and_leave_other_tags_alone()
    {
        LocalStackFixture.RequireDocker();
        var cancel = TestContext.Current.CancellationToken;
        using var ec2 = localStack.Ec2();
        var image = (await ec2.DescribeImagesAsync(new DescribeImagesRequest { Owners = ["amazon"] }, cancel)).Images[0].ImageId;
        var instance = (await ec2.RunInstancesAsync(new RunInstancesRequest
        {
            ImageId = image,
            InstanceType = "t3.micro",
            MinCount = 1,
            MaxCount = 1,
            TagSpecifications = [new TagSpecification { ResourceType = "instance", Tags = [new Tag("IPSec", "todo"), new Tag("team", "payments")] }],
        }, cancel)).Reservation.Instances[0].InstanceId;

        await ec2.CreateTagsAsync(new CreateTagsRequest([instance], [new Tag("IPSec", "enabled"), new Tag("IPSec:Status", "enrolled"), new Tag("IPSec:CertExpiry", "2030-01-01T00:00:00Z")]), cancel);
        var tags = (await ec2.DescribeTagsAsync(new DescribeTagsRequest { Filters = [new Filter("resource-id", [instance])] }, cancel)).Tags
            .ToDictionary(t => t.Key, t => t.Value, StringComparer.Ordinal);

        Assert.Equal("enabled", tags["IPSec"]);
        Assert.Equal("enrolled", tags["IPSec:Status"]);
        Assert.Equal("payments", tags["team"]);
    }
}
