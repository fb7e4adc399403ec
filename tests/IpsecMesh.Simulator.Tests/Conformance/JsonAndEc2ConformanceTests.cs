using System.Text;
using Amazon.EC2.Model;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Microsoft.Extensions.Time.Testing;

namespace IpsecMesh.Simulator.Tests.Conformance;

/// <summary>The JSON, EC2 and KMS discrepancies of issue 16, each fixed and pinned here.</summary>
public class JsonAndEc2ConformanceTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("ssm", "AmazonSSM.ListCommands", "{}")]
    [InlineData("kms", "TrentService.DescribeKey", """{"KeyId":"alias/ipsec-mesh-ca"}""")]
    public async Task Json_answers_omit_absent_members_instead_of_sending_null(string service, string target, string body)
    {
        await using var aws = new SimulatedAws(SimulatorOptions.Default, new FakeTimeProvider());
        aws.Fleet.Launch(new InstanceSpec());
        using var clients = new Clients(aws);
        // Only documents the account holds run (AWS-RunShellScript is refused): one of our own, as an operator would create it.
        aws.CreateDocument("conformance-shell", """
            {"schemaVersion":"2.2","parameters":{"commands":{"type":"StringList"}},
             "mainSteps":[{"action":"aws:runShellScript","name":"run","inputs":{"runCommand":"{{ commands }}"}}]}
            """);
        await clients.Ssm.SendCommandAsync(new Amazon.SimpleSystemsManagement.Model.SendCommandRequest
        {
            DocumentName = "conformance-shell",
            InstanceIds = [aws.Fleet.Instances[0].InstanceId],
            Parameters = new() { ["commands"] = ["true"] },
        }, Ct);
        using var http = RawHttp.Client(aws);

        using var response = await http.SendAsync(RawHttp.Json(service, target, body), Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);

        Assert.Equal(200, (int)response.StatusCode);
        Assert.DoesNotContain("null", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_terminated_instance_no_longer_matches_its_old_address_or_name()
    {
        await using var aws = new SimulatedAws(SimulatorOptions.Default, new FakeTimeProvider());
        var instance = aws.Fleet.Launch(new InstanceSpec());
        var (address, name) = (instance.PrivateIpAddress, instance.PrivateDnsName);
        using var clients = new Clients(aws);
        aws.Fleet.Terminate(instance.InstanceId);

        foreach (var (filter, value) in new[] { ("private-ip-address", address), ("private-dns-name", name), ("vpc-id", instance.VpcId) })
        {
            var found = await clients.Ec2.DescribeInstancesAsync(new DescribeInstancesRequest { Filters = [new Filter(filter, [value])] }, Ct);
            Assert.Empty(found.Reservations ?? []);
        }
    }

    [Fact]
    public async Task DescribeTags_lists_instance_tags_by_filter_and_pages()
    {
        await using var aws = new SimulatedAws(SimulatorOptions.Default, new FakeTimeProvider());
        var tagged = aws.Fleet.LaunchMany(6, InstanceSpec.Tagged("IPSec", "todo"));
        aws.Fleet.SetTag(tagged[0].InstanceId, "Name", "web");
        using var clients = new Clients(aws);

        var one = await clients.Ec2.DescribeTagsAsync(new DescribeTagsRequest { Filters = [new Filter("resource-id", [tagged[0].InstanceId])] }, Ct);
        var first = await clients.Ec2.DescribeTagsAsync(new DescribeTagsRequest { Filters = [new Filter("key", ["IPSec"])], MaxResults = 5 }, Ct);
        var rest = await clients.Ec2.DescribeTagsAsync(new DescribeTagsRequest { Filters = [new Filter("key", ["IPSec"])], MaxResults = 5, NextToken = first.NextToken }, Ct);

        Assert.Equal([("IPSec", "todo"), ("Name", "web")], one.Tags.Select(t => (t.Key, t.Value)));
        Assert.All(one.Tags, t => Assert.Equal("instance", t.ResourceType.Value));
        Assert.Equal(5, first.Tags.Count);
        Assert.Single(rest.Tags);
        Assert.Null(rest.NextToken);
    }

    [Fact]
    public async Task RunInstances_launches_virtual_hosts_with_their_tags_and_the_tag_event()
    {
        await using var aws = new SimulatedAws(SimulatorOptions.Default, new FakeTimeProvider());
        using var clients = new Clients(aws);

        var run = await clients.Ec2.RunInstancesAsync(new RunInstancesRequest
        {
            ImageId = "ami-12345678",
            InstanceType = "t3.micro",
            MinCount = 2,
            MaxCount = 2,
            TagSpecifications = [new TagSpecification { ResourceType = "instance", Tags = [new Amazon.EC2.Model.Tag("IPSec", "todo")] }],
        }, Ct);
        var terminated = await clients.Ec2.TerminateInstancesAsync(new TerminateInstancesRequest { InstanceIds = [run.Reservation.Instances[1].InstanceId] }, Ct);

        Assert.Equal(2, run.Reservation.Instances.Count);
        var first = aws.Fleet.Get(run.Reservation.Instances[0].InstanceId);
        Assert.IsType<VirtualHost>(first.Runtime);
        Assert.Equal("todo", first.Tag("IPSec"));
        Assert.Equal(aws.Fleet.DefaultVpc.VpcId, first.VpcId);
        Assert.Equal("terminated", terminated.TerminatingInstances.Single().CurrentState.Name.Value);
        Assert.Contains(aws.PeekQueue(), e => e.Contains("Tag Change on Resource", StringComparison.Ordinal) && e.Contains(first.InstanceId, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Kms_verifies_its_own_signatures_and_refuses_others()
    {
        await using var aws = new SimulatedAws(SimulatorOptions.Default, new FakeTimeProvider());
        using var clients = new Clients(aws);
        var key = await clients.Kms.CreateKeyAsync(new CreateKeyRequest { KeySpec = KeySpec.ECC_NIST_P384, KeyUsage = KeyUsageType.SIGN_VERIFY }, Ct);
        var message = new MemoryStream(Encoding.UTF8.GetBytes("to be signed"));
        var signature = await clients.Kms.SignAsync(new SignRequest { KeyId = key.KeyMetadata.KeyId, Message = message, SigningAlgorithm = SigningAlgorithmSpec.ECDSA_SHA_384 }, Ct);

        var valid = await clients.Kms.VerifyAsync(new VerifyRequest
        {
            KeyId = key.KeyMetadata.KeyId, Message = new MemoryStream(Encoding.UTF8.GetBytes("to be signed")), Signature = signature.Signature,
            SigningAlgorithm = SigningAlgorithmSpec.ECDSA_SHA_384,
        }, Ct);
        var forged = await Assert.ThrowsAsync<KMSInvalidSignatureException>(() => clients.Kms.VerifyAsync(new VerifyRequest
        {
            KeyId = key.KeyMetadata.KeyId, Message = new MemoryStream(Encoding.UTF8.GetBytes("something else")), Signature = new MemoryStream(signature.Signature.ToArray()),
            SigningAlgorithm = SigningAlgorithmSpec.ECDSA_SHA_384,
        }, Ct));

        Assert.True(valid.SignatureValid);
        Assert.Equal("KMSInvalidSignatureException", forged.ErrorCode);
    }

    [Fact]
    public async Task In_an_empty_account_rules_made_over_the_wire_route_tag_changes_to_their_queue()
    {
        await using var aws = new SimulatedAws(SimulatorOptions.Default with { Empty = true }, new FakeTimeProvider());
        using var clients = new Clients(aws);
        using var http = RawHttp.Client(aws);
        var queue = await clients.Sqs.CreateQueueAsync("events", Ct);
        const string pattern = """{\"source\":[\"aws.tag\"],\"detail\":{\"changed-tag-keys\":[\"IPSec\"]}}""";
        (await http.SendAsync(RawHttp.Json("events", "AWSEvents.PutRule", $$"""{"Name":"tags","EventPattern":"{{pattern}}"}"""), Ct)).EnsureSuccessStatusCode();
        (await http.SendAsync(RawHttp.Json("events", "AWSEvents.PutTargets",
            """{"Rule":"tags","Targets":[{"Id":"q","Arn":"arn:aws:sqs:us-east-1:123456789012:events"}]}"""), Ct)).EnsureSuccessStatusCode();
        var instance = aws.Fleet.Launch(new InstanceSpec());

        aws.Fleet.SetTag(instance.InstanceId, "Name", "not watched");
        aws.Fleet.SetTag(instance.InstanceId, "IPSec", "todo");
        var received = await clients.Sqs.ReceiveMessageAsync(new Amazon.SQS.Model.ReceiveMessageRequest(queue.QueueUrl) { MaxNumberOfMessages = 10 }, Ct);

        Assert.Empty(await clients.S3.ListBucketsAsync(Ct) is { Buckets: { } b } ? b : []);
        Assert.Single(received.Messages);
        Assert.Contains("\"IPSec\"", received.Messages[0].Body, StringComparison.Ordinal);
    }
}
