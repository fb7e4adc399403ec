using IpsecMesh.Core.Hosting;
using IpsecMesh.Core.Options;

namespace IpsecMesh.LocalStack.Tests;

/// <summary>
/// The whole controller against LocalStack: instances tagged todo leave todo. LocalStack's SSM
/// never runs a command on a host, so enrolment cannot finish there; the test proves the AWS
/// wiring and the tag flow (todo to a controller-owned phase with a status sentence).
/// Kept out of the build until IpsecMesh.Core.Hosting.ControllerHost.Build(settings, transport, time) exists.
/// </summary>
public class EnrolmentTests(LocalStackFixture localStack)
{
    [Fact]
    public async Task Tagged_instances_leave_todo_with_a_status_sentence()
    {
        LocalStackFixture.RequireDocker();
        var cancel = TestContext.Current.CancellationToken;
        Environment.SetEnvironmentVariable("AWS_ENDPOINT_URL", localStack.ServiceUrl);
        Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", "test");
        Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", "test");
        var settings = new IpsecMeshOptions
        {
            Region = LocalStackFixture.Region,
            Bucket = "ipsec-mesh-local",
            QueueUrl = localStack.ServiceUrl + "/queue/us-east-1/000000000000/ipsec-mesh-events",
            CaKmsKeyId = "alias/ipsec-mesh-ca",
            HostKmsKeyId = "alias/ipsec-mesh-host",
            ResyncInterval = TimeSpan.FromSeconds(5),
        };

        using var host = ControllerHost.Build(settings, transport: null, TimeProvider.System);
        await host.StartAsync(cancel);
        using var ec2 = localStack.Ec2();
        var limit = DateTime.UtcNow.AddMinutes(2);
        List<Amazon.EC2.Model.TagDescription> phases;
        do
        {
            await Task.Delay(TimeSpan.FromSeconds(2), cancel);
            phases = (await ec2.DescribeTagsAsync(new Amazon.EC2.Model.DescribeTagsRequest
            {
                Filters = [new Amazon.EC2.Model.Filter("key", ["IPSec"]), new Amazon.EC2.Model.Filter("resource-type", ["instance"])],
            }, cancel)).Tags;
        }
        while (phases.Any(t => t.Value == "todo") && DateTime.UtcNow < limit);
        await host.StopAsync(cancel);

        Assert.DoesNotContain(phases, t => t.Value == "todo");
    }
}
