using Amazon.SQS.Model;
using Microsoft.Extensions.Time.Testing;

namespace IpsecMesh.Simulator.Tests;

public class SqsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static ReceiveMessageRequest Receive(SimulatedAws aws, int wait = 0, int? visibility = null) => new()
    {
        VisibilityTimeout = visibility,
        QueueUrl = aws.QueueUrl,
        MaxNumberOfMessages = 10,
        WaitTimeSeconds = wait,
        MessageSystemAttributeNames = ["All"],
    };

    [Fact]
    public async Task Send_receive_and_delete_round_trip()
    {
        await using var aws = new SimulatedAws(SimulatorOptions.Default with { EmitLaunchEvents = false }, new FakeTimeProvider());
        using var clients = new Clients(aws);

        var sent = await clients.Sqs.SendMessageAsync(new SendMessageRequest(aws.QueueUrl, "hello"), Ct);
        var received = await clients.Sqs.ReceiveMessageAsync(Receive(aws), Ct);
        await clients.Sqs.DeleteMessageAsync(aws.QueueUrl, received.Messages.Single().ReceiptHandle, Ct);
        var attributes = await clients.Sqs.GetQueueAttributesAsync(new GetQueueAttributesRequest { QueueUrl = aws.QueueUrl, AttributeNames = ["All"] }, Ct);

        Assert.Equal(sent.MessageId, received.Messages.Single().MessageId);
        Assert.Equal("hello", received.Messages.Single().Body);
        Assert.Equal("1", received.Messages.Single().Attributes["ApproximateReceiveCount"]);
        Assert.Equal(0, attributes.ApproximateNumberOfMessages);
        Assert.Empty(aws.PeekQueue());
    }

    [Fact]
    public async Task A_received_message_reappears_after_its_visibility_timeout()
    {
        var time = new FakeTimeProvider();
        await using var aws = new SimulatedAws(SimulatorOptions.Default with { EmitLaunchEvents = false }, time);
        using var clients = new Clients(aws);
        await clients.Sqs.SendMessageAsync(new SendMessageRequest(aws.QueueUrl, "m"), Ct);

        var first = await clients.Sqs.ReceiveMessageAsync(Receive(aws, visibility: 10), Ct);
        var hidden = await clients.Sqs.ReceiveMessageAsync(Receive(aws), Ct);
        time.Advance(TimeSpan.FromSeconds(11));
        var again = await clients.Sqs.ReceiveMessageAsync(Receive(aws), Ct);

        Assert.Single(first.Messages);
        Assert.Empty(hidden.Messages ?? []);
        Assert.Equal("2", again.Messages.Single().Attributes["ApproximateReceiveCount"]);
    }

    [Fact]
    public async Task A_message_received_maxReceiveCount_times_moves_to_the_dead_letter_queue()
    {
        var time = new FakeTimeProvider();
        await using var aws = new SimulatedAws(SimulatorOptions.Default with { EmitLaunchEvents = false, MaxReceiveCount = 2 }, time);
        using var clients = new Clients(aws);
        await clients.Sqs.SendMessageAsync(new SendMessageRequest(aws.QueueUrl, "poison"), Ct);

        for (var i = 0; i < 2; i++)
        {
            Assert.Single((await clients.Sqs.ReceiveMessageAsync(Receive(aws), Ct)).Messages);
            time.Advance(TimeSpan.FromSeconds(31));
        }
        var third = await clients.Sqs.ReceiveMessageAsync(Receive(aws), Ct);
        var dead = await clients.Sqs.ReceiveMessageAsync(new ReceiveMessageRequest { QueueUrl = aws.DeadLetterQueueUrl }, Ct);

        Assert.Empty(third.Messages ?? []);
        Assert.Equal("poison", dead.Messages.Single().Body);
    }

    [Fact]
    public async Task Long_polling_returns_when_a_message_arrives()
    {
        await using var aws = new SimulatedAws(SimulatorOptions.Default with { EmitLaunchEvents = false }, new FakeTimeProvider());
        using var clients = new Clients(aws);

        var polling = clients.Sqs.ReceiveMessageAsync(Receive(aws, wait: 20), Ct);
        await clients.Sqs.SendMessageAsync(new SendMessageRequest(aws.QueueUrl, "late"), Ct);
        var received = await polling;

        Assert.Equal("late", received.Messages.Single().Body);
    }

    [Fact]
    public async Task Long_polling_on_an_empty_queue_ends_empty_when_simulated_time_passes()
    {
        var time = new FakeTimeProvider();
        await using var aws = new SimulatedAws(SimulatorOptions.Default with { EmitLaunchEvents = false }, time);
        using var clients = new Clients(aws);

        var polling = clients.Sqs.ReceiveMessageAsync(Receive(aws, wait: 20), Ct);
        while (!polling.IsCompleted)
        {
            time.Advance(TimeSpan.FromSeconds(5));
            await Task.WhenAny(polling, Task.Delay(20, Ct));
        }

        Assert.Empty((await polling).Messages ?? []);
    }

    [Fact]
    public async Task ChangeMessageVisibility_zero_makes_a_message_visible_again_and_DeleteMessageBatch_deletes()
    {
        await using var aws = new SimulatedAws(SimulatorOptions.Default with { EmitLaunchEvents = false }, new FakeTimeProvider());
        using var clients = new Clients(aws);
        await clients.Sqs.SendMessageAsync(new SendMessageRequest(aws.QueueUrl, "a"), Ct);
        await clients.Sqs.SendMessageAsync(new SendMessageRequest(aws.QueueUrl, "b"), Ct);

        var received = await clients.Sqs.ReceiveMessageAsync(Receive(aws), Ct);
        await clients.Sqs.ChangeMessageVisibilityAsync(aws.QueueUrl, received.Messages[0].ReceiptHandle, 0, Ct);
        var again = await clients.Sqs.ReceiveMessageAsync(Receive(aws), Ct);
        var batch = await clients.Sqs.DeleteMessageBatchAsync(aws.QueueUrl,
            [new DeleteMessageBatchRequestEntry("1", again.Messages.Single().ReceiptHandle), new DeleteMessageBatchRequestEntry("2", received.Messages[1].ReceiptHandle)], Ct);

        Assert.Equal(2, received.Messages.Count);
        Assert.Equal("a", again.Messages.Single().Body);
        Assert.Equal(2, batch.Successful.Count);
        Assert.Empty(aws.PeekQueue());
    }
}
