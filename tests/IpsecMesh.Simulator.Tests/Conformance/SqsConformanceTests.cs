using Amazon.SQS.Model;
using Microsoft.Extensions.Time.Testing;

namespace IpsecMesh.Simulator.Tests.Conformance;

/// <summary>The SQS discrepancies of issue 16, each fixed and pinned here.</summary>
public class SqsConformanceTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_missing_queue_carries_the_query_error_code_that_clients_report()
    {
        await using var aws = new SimulatedAws(SimulatorOptions.Default, new FakeTimeProvider());
        using var http = RawHttp.Client(aws);

        using var response = await http.SendAsync(RawHttp.Json("sqs", "AmazonSQS.GetQueueUrl", """{"QueueName":"nope"}""", "application/x-amz-json-1.0"), Ct);

        Assert.Equal(400, (int)response.StatusCode);
        Assert.Equal("AWS.SimpleQueueService.NonExistentQueue;Sender", response.Headers.GetValues("x-amzn-query-error").Single());
        Assert.Contains("com.amazonaws.sqs#QueueDoesNotExist", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.NotEmpty(response.Headers.GetValues("x-amzn-RequestId").Single());
    }

    [Fact]
    public async Task The_query_protocol_of_older_clients_gets_xml_answers_and_errors()
    {
        await using var aws = new SimulatedAws(SimulatorOptions.Default, new FakeTimeProvider());
        using var http = RawHttp.Client(aws);

        using var missing = await http.SendAsync(RawHttp.Form("sqs", "Action=GetQueueUrl&QueueName=nope&Version=2012-11-05"), Ct);
        using var sent = await http.SendAsync(RawHttp.Form("sqs",
            $"Action=SendMessage&QueueUrl={Uri.EscapeDataString(aws.QueueUrl)}&MessageBody=hi&MessageAttribute.1.Name=a&MessageAttribute.1.Value.DataType=String&MessageAttribute.1.Value.StringValue=x"), Ct);
        using var received = await http.SendAsync(RawHttp.Form("sqs",
            $"Action=ReceiveMessage&QueueUrl={Uri.EscapeDataString(aws.QueueUrl)}&MaxNumberOfMessages=10&MessageAttributeName.1=All"), Ct);
        var receivedXml = await received.Content.ReadAsStringAsync(Ct);

        var error = await missing.Content.ReadAsStringAsync(Ct);
        Assert.Contains("<Code>AWS.SimpleQueueService.NonExistentQueue</Code>", error, StringComparison.Ordinal);
        Assert.Contains("<RequestId>", error, StringComparison.Ordinal);
        Assert.Contains("<MD5OfMessageAttributes>", await sent.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Contains("<Body>hi</Body>", receivedXml, StringComparison.Ordinal);
        Assert.Contains("<MessageAttribute><Name>a</Name><Value><DataType>String</DataType><StringValue>x</StringValue></Value></MessageAttribute>", receivedXml, StringComparison.Ordinal);
        Assert.Contains("<ResponseMetadata><RequestId>", receivedXml, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReceiveMessage_returns_only_the_message_attributes_asked_for_with_their_digest()
    {
        await using var aws = new SimulatedAws(SimulatorOptions.Default with { EmitLaunchEvents = false }, new FakeTimeProvider());
        using var clients = new Clients(aws);
        var attributes = new Dictionary<string, MessageAttributeValue>
        {
            ["trace.id"] = new() { DataType = "String", StringValue = "t1" },
            ["trace.span"] = new() { DataType = "String", StringValue = "s1" },
            ["other"] = new() { DataType = "Number", StringValue = "7" },
        };
        await clients.Sqs.SendMessageAsync(new SendMessageRequest(aws.QueueUrl, "one") { MessageAttributes = attributes }, Ct);
        await clients.Sqs.SendMessageAsync(new SendMessageRequest(aws.QueueUrl, "two") { MessageAttributes = attributes }, Ct);
        await clients.Sqs.SendMessageAsync(new SendMessageRequest(aws.QueueUrl, "three") { MessageAttributes = attributes }, Ct);

        var none = await clients.Sqs.ReceiveMessageAsync(new ReceiveMessageRequest(aws.QueueUrl) { MaxNumberOfMessages = 1 }, Ct);
        var byName = await clients.Sqs.ReceiveMessageAsync(new ReceiveMessageRequest(aws.QueueUrl) { MaxNumberOfMessages = 1, MessageAttributeNames = ["other"] }, Ct);
        var byPrefix = await clients.Sqs.ReceiveMessageAsync(new ReceiveMessageRequest(aws.QueueUrl) { MaxNumberOfMessages = 1, MessageAttributeNames = ["trace.*"] }, Ct);

        Assert.Empty(none.Messages.Single().MessageAttributes ?? []);
        Assert.Equal(["other"], byName.Messages.Single().MessageAttributes.Keys);
        Assert.Equal(["trace.id", "trace.span"], byPrefix.Messages.Single().MessageAttributes.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task ListQueues_CreateQueue_and_SendMessageBatch_work_and_urls_name_the_endpoint_the_client_used()
    {
        await using var aws = new SimulatedAws(SimulatorOptions.Default with { EmitLaunchEvents = false }, new FakeTimeProvider());
        using var clients = new Clients(aws);

        var dlqArn = (await clients.Sqs.GetQueueAttributesAsync(aws.DeadLetterQueueUrl, ["QueueArn"], Ct)).QueueARN;
        var created = await clients.Sqs.CreateQueueAsync(new CreateQueueRequest
        {
            QueueName = "work",
            Attributes = new() { ["VisibilityTimeout"] = "60", ["RedrivePolicy"] = $$"""{"deadLetterTargetArn":"{{dlqArn}}","maxReceiveCount":"3"}""" },
        }, Ct);
        var again = await clients.Sqs.CreateQueueAsync(new CreateQueueRequest { QueueName = "work" }, Ct);
        var listed = await clients.Sqs.ListQueuesAsync(new ListQueuesRequest { QueueNamePrefix = "ipsec-mesh" }, Ct);
        var batch = await clients.Sqs.SendMessageBatchAsync(new SendMessageBatchRequest(created.QueueUrl,
            [new SendMessageBatchRequestEntry("a", "first"), new SendMessageBatchRequestEntry("b", "second")]), Ct);
        var redrive = (await clients.Sqs.GetQueueAttributesAsync(created.QueueUrl, ["All"], Ct)).Attributes;

        Assert.Equal("http://sqs.us-east-1.amazonaws.com/123456789012/work", created.QueueUrl);
        Assert.Equal(created.QueueUrl, again.QueueUrl);
        Assert.Equal(["ipsec-mesh-events", "ipsec-mesh-events-dlq"], listed.QueueUrls.Select(u => u.Split('/')[^1]));
        Assert.Equal(["a", "b"], batch.Successful.Select(s => s.Id));
        Assert.Empty(batch.Failed ?? []);
        Assert.Equal("60", redrive["VisibilityTimeout"]);
        Assert.Contains("\"maxReceiveCount\":3", redrive["RedrivePolicy"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Queue_urls_point_at_the_loopback_endpoint_once_listening()
    {
        await using var aws = new SimulatedAws(SimulatorOptions.Default, new FakeTimeProvider());
        var endpoint = await aws.ListenAsync(cancellationToken: Ct);
        using var http = new HttpClient();
        var request = RawHttp.Json("sqs", "AmazonSQS.GetQueueUrl", """{"QueueName":"ipsec-mesh-events"}""", "application/x-amz-json-1.0");
        request.RequestUri = endpoint;

        using var response = await http.SendAsync(request, Ct);

        Assert.StartsWith(endpoint.ToString(), aws.QueueUrl, StringComparison.Ordinal);
        Assert.Contains($"\"QueueUrl\":\"{endpoint}123456789012/ipsec-mesh-events\"", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }
}
