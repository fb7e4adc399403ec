using Amazon.EC2.Model;
using Amazon.KeyManagementService.Model;
using Amazon.SQS.Model;

namespace IpsecMesh.LocalStack.Tests;

/// <summary>deploy/localstack/init-aws.sh creates what docker-compose.yml's controller settings name.</summary>
public class InitHookTests(LocalStackFixture localStack)
{
    [Fact]
    public async Task Hook_creates_a_versioned_bucket()
    {
        LocalStackFixture.RequireDocker();
        using var s3 = localStack.S3();

        var versioning = await s3.GetBucketVersioningAsync("ipsec-mesh-local", TestContext.Current.CancellationToken);

        Assert.Equal("Enabled", versioning.VersioningConfig.Status.Value);
    }

    [Fact]
    public async Task Hook_creates_the_queue_with_a_dead_letter_redrive()
    {
        LocalStackFixture.RequireDocker();
        using var sqs = localStack.Sqs();
        var url = (await sqs.GetQueueUrlAsync("ipsec-mesh-events", TestContext.Current.CancellationToken)).QueueUrl;

        var attributes = await sqs.GetQueueAttributesAsync(new GetQueueAttributesRequest { QueueUrl = url, AttributeNames = ["RedrivePolicy"] }, TestContext.Current.CancellationToken);

        Assert.Contains("ipsec-mesh-events-dlq", attributes.Attributes["RedrivePolicy"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Hook_creates_the_key_aliases_the_controller_uses()
    {
        LocalStackFixture.RequireDocker();
        using var kms = localStack.Kms();

        var aliases = (await kms.ListAliasesAsync(new ListAliasesRequest(), TestContext.Current.CancellationToken)).Aliases.Select(a => a.AliasName).ToList();

        Assert.Contains("alias/ipsec-mesh-ca", aliases);
        Assert.Contains("alias/ipsec-mesh-host", aliases);
    }

    [Fact]
    public async Task Hook_tags_three_instances_todo_and_leaves_one_untagged()
    {
        LocalStackFixture.RequireDocker();
        using var ec2 = localStack.Ec2();

        var todo = await ec2.DescribeInstancesAsync(new DescribeInstancesRequest { Filters = [new Filter("tag:IPSec", ["todo"])] }, TestContext.Current.CancellationToken);
        var outside = await ec2.DescribeInstancesAsync(new DescribeInstancesRequest { Filters = [new Filter("tag:Name", ["not-in-the-mesh"])] }, TestContext.Current.CancellationToken);

        Assert.True(todo.Reservations.SelectMany(r => r.Instances).Count() >= 3);
        Assert.All(outside.Reservations.SelectMany(r => r.Instances), i => Assert.DoesNotContain(i.Tags, t => t.Key == "IPSec"));
    }

    [Fact]
    public async Task Hook_creates_the_agent_document_of_this_build_as_the_stack_would()
    {
        LocalStackFixture.RequireDocker();
        using var ssm = localStack.Ssm();

        var described = (await ssm.DescribeDocumentAsync(new Amazon.SimpleSystemsManagement.Model.DescribeDocumentRequest { Name = IpsecMesh.HostAgent.Document.AgentDocument.Name },
            TestContext.Current.CancellationToken)).Document;

        Assert.Equal("Command", described.DocumentType.Value);
    }
}
