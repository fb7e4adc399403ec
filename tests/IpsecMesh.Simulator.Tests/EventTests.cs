using System.Text.Json.Nodes;
using Amazon.EC2.Model;
using Amazon.SQS.Model;
using Microsoft.Extensions.Time.Testing;

namespace IpsecMesh.Simulator.Tests;

public class EventTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static JsonObject[] Events(SimulatedAws aws) => aws.PeekQueue().Select(b => (JsonObject)JsonNode.Parse(b)!).ToArray();

    [Fact]
    public async Task Setting_the_watched_tag_emits_Tag_Change_on_Resource_shaped_like_EventBridge()
    {
        await using var aws = new SimulatedAws(SimulatorOptions.Default with { EmitLaunchEvents = false }, new FakeTimeProvider());
        var instance = aws.Fleet.Launch(new InstanceSpec());

        aws.Fleet.SetTag(instance.InstanceId, "Team", "payments");
        aws.Fleet.SetTag(instance.InstanceId, "IPSec", "todo");

        var e = Assert.Single(Events(aws));
        Assert.Equal("0", e["version"]!.GetValue<string>());
        Assert.Equal("Tag Change on Resource", e["detail-type"]!.GetValue<string>());
        Assert.Equal("aws.tag", e["source"]!.GetValue<string>());
        Assert.Equal(aws.AccountId, e["account"]!.GetValue<string>());
        Assert.Equal(aws.Region, e["region"]!.GetValue<string>());
        Assert.Equal($"arn:aws:ec2:{aws.Region}:{aws.AccountId}:instance/{instance.InstanceId}", e["resources"]![0]!.GetValue<string>());
        var detail = e["detail"]!.AsObject();
        Assert.Equal(["IPSec"], detail["changed-tag-keys"]!.AsArray().Select(k => k!.GetValue<string>()));
        Assert.Equal("ec2", detail["service"]!.GetValue<string>());
        Assert.Equal("instance", detail["resource-type"]!.GetValue<string>());
        Assert.Equal(2, detail["version"]!.GetValue<int>());
        Assert.Equal("todo", detail["tags"]!["IPSec"]!.GetValue<string>());
        Assert.Equal("payments", detail["tags"]!["Team"]!.GetValue<string>());
    }

    [Fact]
    public async Task CreateTags_through_the_API_emits_a_tag_change_per_instance()
    {
        await using var aws = new SimulatedAws(SimulatorOptions.Default with { EmitLaunchEvents = false }, new FakeTimeProvider());
        var ids = aws.Fleet.LaunchMany(2, new InstanceSpec()).Select(i => i.InstanceId).ToList();
        using var clients = new Clients(aws);

        await clients.Ec2.CreateTagsAsync(new CreateTagsRequest { Resources = ids, Tags = [new Tag("IPSec", "enabled")] }, Ct);

        Assert.Equal(ids.Order(), Events(aws).Select(e => e["resources"]![0]!.GetValue<string>().Split('/')[1]).Order());
    }

    [Fact]
    public async Task Stop_start_and_terminate_emit_state_change_notifications()
    {
        await using var aws = new SimulatedAws(SimulatorOptions.Default with { EmitLaunchEvents = false }, new FakeTimeProvider());
        var id = aws.Fleet.Launch(new InstanceSpec()).InstanceId;

        aws.Fleet.Stop(id);
        aws.Fleet.Start(id);
        aws.Fleet.Terminate(id);

        var events = Events(aws);
        Assert.All(events, e => Assert.Equal("EC2 Instance State-change Notification", e["detail-type"]!.GetValue<string>()));
        Assert.All(events, e => Assert.Equal("aws.ec2", e["source"]!.GetValue<string>()));
        Assert.All(events, e => Assert.Equal(id, e["detail"]!["instance-id"]!.GetValue<string>()));
        Assert.Equal(["stopping", "stopped", "pending", "running", "shutting-down", "terminated"], events.Select(e => e["detail"]!["state"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Launch_with_the_watched_tag_emits_pending_running_and_a_tag_change()
    {
        await using var aws = new SimulatedAws(SimulatorOptions.Default, new FakeTimeProvider());

        aws.Fleet.Launch(InstanceSpec.Tagged("IPSec", "todo"));

        Assert.Equal(["EC2 Instance State-change Notification", "EC2 Instance State-change Notification", "Tag Change on Resource"],
            Events(aws).Select(e => e["detail-type"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Event_faults_drop_and_duplicate_reproducibly_for_a_seed()
    {
        var faults = new FaultOptions { EventDropProbability = 0.3, EventDuplicateProbability = 0.3, EventReorderProbability = 0.5 };
        async Task<string[]> Run()
        {
            await using var aws = new SimulatedAws(SimulatorOptions.Default with { Seed = 42, Faults = faults, EmitLaunchEvents = false }, new FakeTimeProvider(DateTimeOffset.UnixEpoch));
            var id = aws.Fleet.Launch(new InstanceSpec()).InstanceId;
            for (var i = 0; i < 40; i++) aws.Fleet.SetTag(id, "IPSec", $"v{i}");
            return Events(aws).Select(e => e["detail"]!["tags"]!["IPSec"]!.GetValue<string>()).ToArray();
        }

        var first = await Run();
        var second = await Run();

        Assert.Equal(first, second);
        Assert.True(first.Length != first.Distinct().Count(), "some event should be duplicated");
        Assert.True(first.Distinct().Count() < 40, "some event should be dropped");
    }
}
