using Amazon.SQS.Model;
using IpsecMesh.Core.Cloud;
using IpsecMesh.Core.Hosting;
using IpsecMesh.Integration.Tests.Support;
using IpsecMesh.Simulator;
using Microsoft.Extensions.DependencyInjection;

namespace IpsecMesh.Integration.Tests.BadInput;

public class MalformedEventTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Every_malformed_message_is_logged_with_its_id_and_dead_lettered_while_enrolled_hosts_stay_untouched()
    {
        await using var mesh = new MeshFixture();
        var enrolled = Enumerable.Range(0, 3).Select(_ => mesh.Launch()).ToList();
        var controller = await mesh.StartControllerAsync(Token);
        await mesh.WaitForAsync(() => enrolled.All(i => i.Tag(MeshFixture.TagKey) == "enabled"), "the first instances enabled");
        var before = enrolled.ToDictionary(i => i.InstanceId, i => ((VirtualHost)i.Runtime).State);
        var deadBefore = mesh.Aws.PeekQueue(deadLetter: true).Count;

        var bodies = MalformedBodies.Generate(120);
        using var sqs = SimulatedClients.Create<Amazon.SQS.IAmazonSQS>(mesh.Aws);
        var ids = new List<string>();
        foreach (var body in bodies)
            ids.Add((await sqs.SendMessageAsync(new SendMessageRequest { QueueUrl = mesh.Aws.QueueUrl, MessageBody = body }, Token)).MessageId);

        // Five receives each (the queue's maxReceiveCount), 30 simulated seconds apart.
        await mesh.WaitForAsync(() => mesh.Aws.PeekQueue(deadLetter: true).Count >= deadBefore + bodies.Count, "every malformed message in the dead-letter queue", TimeSpan.FromMinutes(3));

        Assert.Equal(bodies.Count, ids.Distinct().Count());
        string[] logs;
        lock (mesh.Logs) logs = [.. mesh.Logs];
        var unlogged = ids.Where(id => !logs.Any(l => l.Contains($"SQS message {id} is not an event", StringComparison.Ordinal))).ToList();
        Assert.Empty(unlogged);
        Assert.Equal(bodies.Count, mesh.Aws.PeekQueue(deadLetter: true).Count(b => bodies.Contains(b)));
        Assert.DoesNotContain(logs, l => l.Contains("loop failed", StringComparison.OrdinalIgnoreCase));
        foreach (var instance in enrolled)
        {
            var state = ((VirtualHost)instance.Runtime).State;
            Assert.Equal("enabled", instance.Tag(MeshFixture.TagKey));
            Assert.Equal(before[instance.InstanceId].CertSerial, state.CertSerial);
            Assert.Equal(before[instance.InstanceId].CommandsRun, state.CommandsRun);
        }

        // The loop is alive: a new instance's event is still acted on.
        Assert.True(controller.Services.GetRequiredService<ControllerStatus>().Started);
        var late = mesh.Launch();
        await mesh.WaitForTagAsync(late, "enabled");
    }
}
