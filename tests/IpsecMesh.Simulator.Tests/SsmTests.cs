using Amazon.SimpleSystemsManagement;
using Amazon.SimpleSystemsManagement.Model;
using IpsecMesh.HostAgent.Protocol;
using Microsoft.Extensions.Time.Testing;
using static IpsecMesh.Simulator.Tests.AgentCommands;

namespace IpsecMesh.Simulator.Tests;

public class SsmTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Task<GetCommandInvocationResponse> Invocation(Clients clients, string commandId, string instanceId) =>
        clients.Ssm.GetCommandInvocationAsync(AgentStep(commandId, instanceId), Ct);

    [Fact]
    public async Task A_command_goes_Pending_then_InProgress_then_Success_on_simulated_time()
    {
        var time = new FakeTimeProvider();
        await using var aws = new SimulatedAws(SimulatorOptions.Default, time);
        var host = new VirtualHost(new VirtualHostOptions { Latency = new Dictionary<string, TimeSpan> { ["status"] = TimeSpan.FromSeconds(10) } });
        var id = aws.Fleet.Launch(new InstanceSpec { Runtime = host }).InstanceId;
        using var clients = new Clients(aws);

        var sent = await clients.Ssm.SendCommandAsync(Command(aws, AgentRequest.For(AgentVerbs.Status), id), Ct);
        var pending = await Invocation(clients, sent.Command.CommandId, id);
        time.Advance(TimeSpan.FromSeconds(1));
        var running = await Invocation(clients, sent.Command.CommandId, id);
        time.Advance(TimeSpan.FromSeconds(10));
        var done = await Eventually.Until(() => Invocation(clients, sent.Command.CommandId, id), i => i.Status != CommandInvocationStatus.InProgress);

        Assert.Equal(CommandInvocationStatus.Pending, pending.Status);
        Assert.Equal(CommandInvocationStatus.InProgress, running.Status);
        Assert.Equal(CommandInvocationStatus.Success, done.Status);
        Assert.Equal(0, done.ResponseCode);
        var result = Assert.Single(AgentResult.ParseAll(done.StandardOutputContent));
        Assert.True(result.Ok);
        Assert.Equal("status", result.Verb);
    }

    [Fact]
    public async Task A_command_waits_Pending_while_a_registered_agent_is_offline_and_runs_when_it_is_back()
    {
        var time = new FakeTimeProvider();
        await using var aws = new SimulatedAws(SimulatorOptions.Default, time);
        var id = aws.Fleet.Launch(new InstanceSpec { Runtime = new VirtualHost(VirtualHostOptions.Instant) }).InstanceId;
        using var clients = new Clients(aws);
        aws.Fleet.StopAgent(id);

        var sent = await clients.Ssm.SendCommandAsync(Command(aws, AgentRequest.For(AgentVerbs.Status), id), Ct);
        time.Advance(TimeSpan.FromMinutes(1));
        var waiting = await Invocation(clients, sent.Command.CommandId, id);
        var info = await clients.Ssm.DescribeInstanceInformationAsync(new DescribeInstanceInformationRequest(), Ct);
        aws.Fleet.StartAgent(id);
        var done = await Eventually.Until(() => Invocation(clients, sent.Command.CommandId, id), i => i.Status != CommandInvocationStatus.Pending && i.Status != CommandInvocationStatus.InProgress);

        Assert.Equal(CommandInvocationStatus.Pending, waiting.Status);
        Assert.Equal(PingStatus.ConnectionLost, Assert.Single(info.InstanceInformationList).PingStatus);
        Assert.Equal(CommandInvocationStatus.Success, done.Status);
    }

    [Fact]
    public async Task A_command_to_a_registered_agent_that_stays_offline_times_out_undelivered()
    {
        var time = new FakeTimeProvider();
        await using var aws = new SimulatedAws(SimulatorOptions.Default, time);
        var id = aws.Fleet.Launch(new InstanceSpec()).InstanceId;
        using var clients = new Clients(aws);
        aws.Fleet.StopAgent(id);
        var request = Command(aws, AgentRequest.For(AgentVerbs.Status), id);
        request.TimeoutSeconds = 60;

        var sent = await clients.Ssm.SendCommandAsync(request, Ct);
        time.Advance(TimeSpan.FromSeconds(61));
        var invocation = await Invocation(clients, sent.Command.CommandId, id);

        Assert.Equal(CommandInvocationStatus.TimedOut, invocation.Status);
        Assert.Equal("DeliveryTimedOut", invocation.StatusDetails);
    }

    [Fact]
    public async Task GetCommandInvocation_truncates_stdout_at_24000_and_stderr_at_8000_characters()
    {
        var time = new FakeTimeProvider();
        await using var aws = new SimulatedAws(SimulatorOptions.Default, time);
        var noisy = new ExternalRuntime((_, _, _) => Task.FromResult(new CommandOutcome(3, new string('o', 30_000), new string('e', 10_000))));
        var id = aws.Fleet.Launch(new InstanceSpec { Runtime = noisy }).InstanceId;
        using var clients = new Clients(aws);

        var sent = await clients.Ssm.SendCommandAsync(Command(aws, AgentRequest.For(AgentVerbs.Status), id), Ct);
        time.Advance(TimeSpan.FromSeconds(1));
        var invocation = await Eventually.Until(() => Invocation(clients, sent.Command.CommandId, id), i => i.Status != CommandInvocationStatus.InProgress);

        Assert.Equal(CommandInvocationStatus.Failed, invocation.Status);
        Assert.Equal(3, invocation.ResponseCode);
        Assert.Equal(24_000, invocation.StandardOutputContent.Length);
        Assert.Equal(8_000, invocation.StandardErrorContent.Length);
    }

    [Fact]
    public async Task SendCommand_rejects_more_than_50_instance_ids()
    {
        await using var aws = new SimulatedAws(SimulatorOptions.Default, new FakeTimeProvider());
        var ids = aws.Fleet.LaunchMany(51, new InstanceSpec()).Select(i => i.InstanceId).ToArray();
        using var clients = new Clients(aws);

        var error = await Assert.ThrowsAnyAsync<AmazonSimpleSystemsManagementException>(() =>
            clients.Ssm.SendCommandAsync(Command(aws, AgentRequest.For(AgentVerbs.Status), ids), Ct));

        Assert.Equal("ValidationException", error.ErrorCode);
    }

    [Fact]
    public async Task SendCommand_naming_an_unknown_terminated_or_never_registered_instance_fails_whole_with_InvalidInstanceId()
    {
        var time = new FakeTimeProvider();
        await using var aws = new SimulatedAws(SimulatorOptions.Default, time);
        var good = aws.Fleet.Launch(new InstanceSpec()).InstanceId;
        var terminated = aws.Fleet.Launch(new InstanceSpec()).InstanceId;
        aws.Fleet.Terminate(terminated);
        var noAgent = aws.Fleet.Launch(new InstanceSpec { AgentInstalled = false }).InstanceId;
        var late = aws.Fleet.Launch(new InstanceSpec { AgentOnlineDelay = TimeSpan.FromMinutes(2) }).InstanceId;
        using var clients = new Clients(aws);

        foreach (var bad in new[] { "i-0000000000000dead", terminated, noAgent, late })
        {
            var error = await Assert.ThrowsAsync<InvalidInstanceIdException>(() =>
                clients.Ssm.SendCommandAsync(Command(aws, AgentRequest.For(AgentVerbs.Status), good, bad), Ct));
            Assert.Contains(bad, error.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(good, error.Message, StringComparison.Ordinal);
        }
        var listed = await clients.Ssm.ListCommandsAsync(new ListCommandsRequest(), Ct);
        time.Advance(TimeSpan.FromMinutes(2));
        await clients.Ssm.SendCommandAsync(Command(aws, AgentRequest.For(AgentVerbs.Status), good, late), Ct);

        Assert.Empty(listed.Commands ?? []);
    }

    [Fact]
    public async Task SendCommand_by_tag_target_reaches_every_tagged_instance_and_ListCommandInvocations_pages_and_filters()
    {
        var time = new FakeTimeProvider();
        await using var aws = new SimulatedAws(SimulatorOptions.Default, time);
        var tagged = aws.Fleet.LaunchMany(7, new InstanceSpec { Tags = new Dictionary<string, string> { ["IPSec"] = "todo" }, Runtime = null })
            .Select(i => i.InstanceId).ToHashSet();
        aws.Fleet.Launch(new InstanceSpec());
        using var clients = new Clients(aws);
        var request = Command(aws, AgentRequest.For(AgentVerbs.Status));
        request.InstanceIds = null;
        request.Targets = [new Target { Key = "tag:IPSec", Values = ["todo"] }];

        var sent = await clients.Ssm.SendCommandAsync(request, Ct);
        var ids = new List<string>();
        string? token = null;
        var pages = 0;
        do
        {
            var page = await clients.Ssm.ListCommandInvocationsAsync(new ListCommandInvocationsRequest { CommandId = sent.Command.CommandId, MaxResults = 3, NextToken = token }, Ct);
            ids.AddRange(page.CommandInvocations.Select(i => i.InstanceId));
            Assert.All(page.CommandInvocations, i => Assert.Equal(AgentCommand.Comment(AgentRequest.For(AgentVerbs.Status)), i.Comment));
            token = page.NextToken;
            pages++;
        }
        while (token is not null);
        var successes = await clients.Ssm.ListCommandInvocationsAsync(new ListCommandInvocationsRequest
        {
            CommandId = sent.Command.CommandId,
            Filters = [new CommandFilter { Key = CommandFilterKey.Status, Value = "Success" }],
        }, Ct);

        Assert.Equal(tagged, ids.ToHashSet());
        Assert.Equal(3, pages);
        Assert.Empty(successes.CommandInvocations ?? []);
    }

    [Fact]
    public async Task DescribeInstanceInformation_pages_online_agents_and_filters_by_instance_id()
    {
        await using var aws = new SimulatedAws(SimulatorOptions.Default, new FakeTimeProvider());
        var ids = aws.Fleet.LaunchMany(7, new InstanceSpec()).Select(i => i.InstanceId).ToList();
        aws.Fleet.Launch(new InstanceSpec { AgentInstalled = false });
        using var clients = new Clients(aws);

        var seen = new List<string>();
        string? token = null;
        do
        {
            var page = await clients.Ssm.DescribeInstanceInformationAsync(new DescribeInstanceInformationRequest { MaxResults = 5, NextToken = token }, Ct);
            Assert.All(page.InstanceInformationList, i => Assert.Equal(PingStatus.Online, i.PingStatus));
            seen.AddRange(page.InstanceInformationList.Select(i => i.InstanceId));
            token = page.NextToken;
        }
        while (token is not null);
        var one = await clients.Ssm.DescribeInstanceInformationAsync(new DescribeInstanceInformationRequest
        {
            Filters = [new InstanceInformationStringFilter { Key = "InstanceIds", Values = [ids[3]] }],
        }, Ct);

        Assert.Equal(ids, seen);
        Assert.Equal(ids[3], one.InstanceInformationList.Single().InstanceId);
    }

    [Fact]
    public async Task Two_commands_running_at_once_on_one_instance_are_counted()
    {
        var time = new FakeTimeProvider();
        await using var aws = new SimulatedAws(SimulatorOptions.Default, time);
        var id = aws.Fleet.Launch(new InstanceSpec()).InstanceId;
        using var clients = new Clients(aws);

        await clients.Ssm.SendCommandAsync(Command(aws, AgentRequest.For(AgentVerbs.Install,
            new Dictionary<string, string> { ["configHash"] = "abc" }, new Dictionary<string, byte[]> { ["config/ipsec-mesh.conf"] = [1] }), id), Ct);
        await clients.Ssm.SendCommandAsync(Command(aws, AgentRequest.For(AgentVerbs.Status), id), Ct);
        time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(2, aws.MaxConcurrentCommandsPerInstance);
        Assert.Equal(1, aws.OverlappingCommands);
        Assert.Matches($@"^{id} at .*'ipsec-mesh status' \(requested .*\) started while .*'ipsec-mesh install cfg=abc' InProgress since .* still ran$", Assert.Single(aws.OverlappingCommandDetails));
    }

    [Fact]
    public async Task CancelCommand_cancels_a_running_invocation()
    {
        var time = new FakeTimeProvider();
        await using var aws = new SimulatedAws(SimulatorOptions.Default, time);
        var id = aws.Fleet.Launch(new InstanceSpec()).InstanceId;
        using var clients = new Clients(aws);
        var sent = await clients.Ssm.SendCommandAsync(Command(aws, AgentRequest.For(AgentVerbs.Status), id), Ct);
        time.Advance(TimeSpan.FromSeconds(0.5));

        await clients.Ssm.CancelCommandAsync(new CancelCommandRequest { CommandId = sent.Command.CommandId }, Ct);

        Assert.Equal(CommandInvocationStatus.Cancelled, (await Invocation(clients, sent.Command.CommandId, id)).Status);
    }
}
