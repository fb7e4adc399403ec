using IpsecMesh.Core.Hosting;
using IpsecMesh.Pki.Authority;
using Microsoft.Extensions.DependencyInjection;

namespace IpsecMesh.LocalStack.Tests;

/// <summary>
/// The whole controller, as `run` builds it, against LocalStack: the CA is created in LocalStack's
/// S3 and KMS, the resync lists the init hook's instances, and every instance tagged todo gets a
/// status sentence from the controller. LocalStack's SSM never runs a command on a host (its
/// instances have no agent), so enrolment stops at "waiting for SSM agent": the test proves the
/// AWS wiring and the tag flow, not the hosts (the simulator and the UML suite cover those).
/// </summary>
public class EnrolmentTests(LocalStackFixture localStack)
{
    [Fact]
    public async Task Tagged_instances_get_a_status_sentence_from_the_controller()
    {
        LocalStackFixture.RequireDocker();
        var cancel = TestContext.Current.CancellationToken;
        Environment.SetEnvironmentVariable("AWS_ENDPOINT_URL", localStack.ServiceUrl);
        Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", "test");
        Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", "test");
        var settings = new Dictionary<string, string?>
        {
            ["IpsecMesh:Region"] = LocalStackFixture.Region,
            ["IpsecMesh:Bucket"] = "ipsec-mesh-local",
            ["IpsecMesh:QueueUrl"] = localStack.ServiceUrl + "/queue/us-east-1/000000000000/ipsec-mesh-events",
            ["IpsecMesh:CaKmsKeyId"] = "alias/ipsec-mesh-ca",
            ["IpsecMesh:HostKmsKeyId"] = "alias/ipsec-mesh-host",
            ["IpsecMesh:ResyncInterval"] = "00:00:05",
            ["IpsecMesh:HealthPort"] = "0",
        };

        using var host = ControllerHost.Build(settings);
        try { await host.Services.GetRequiredService<CaAdministration>().InitAsync(withBackup: false, cancel); }
        catch (CaStoreException) { /* another test of this run created it already */ }
        await host.StartAsync(cancel);
        using var ec2 = localStack.Ec2();
        var limit = DateTime.UtcNow.AddMinutes(2);
        Dictionary<string, (string? Phase, string? Status)> seen;
        do
        {
            await Task.Delay(TimeSpan.FromSeconds(2), cancel);
            var tags = (await ec2.DescribeTagsAsync(new Amazon.EC2.Model.DescribeTagsRequest
            {
                Filters = [new Amazon.EC2.Model.Filter("key", ["IPSec", "IPSec:Status"]), new Amazon.EC2.Model.Filter("resource-type", ["instance"])],
            }, cancel)).Tags ?? [];
            seen = tags.GroupBy(t => t.ResourceId).ToDictionary(
                g => g.Key,
                g => (g.FirstOrDefault(t => t.Key == "IPSec")?.Value, g.FirstOrDefault(t => t.Key == "IPSec:Status")?.Value));
        }
        while (seen.Values.Any(v => v.Phase == "todo" && v.Status is null) && DateTime.UtcNow < limit);
        await host.StopAsync(cancel);

        Assert.NotEmpty(seen);
        Assert.All(seen.Values.Where(v => v.Phase is "todo" or "failed"), v => Assert.False(string.IsNullOrEmpty(v.Status)));
    }
}
