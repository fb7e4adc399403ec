using System.Text;
using System.Text.Json.Nodes;
using Amazon.SimpleSystemsManagement;
using Amazon.SimpleSystemsManagement.Model;
using IpsecMesh.HostAgent;
using IpsecMesh.HostAgent.Document;
using IpsecMesh.HostAgent.Protocol;
using Microsoft.Extensions.Time.Testing;
using static IpsecMesh.Simulator.Tests.AgentCommands;

namespace IpsecMesh.Simulator.Tests;

/// <summary>SSM documents in the simulator: registration, parameter checks, SSM's size limits, the download step, rate control.</summary>
public class SsmDocumentTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Task<GetCommandInvocationResponse> Invocation(Clients clients, string commandId, string instanceId) =>
        clients.Ssm.GetCommandInvocationAsync(AgentStep(commandId, instanceId), Ct);

    private static async Task<GetCommandInvocationResponse> DoneAsync(Clients clients, FakeTimeProvider time, string commandId, string instanceId)
    {
        time.Advance(TimeSpan.FromSeconds(1));
        return await Eventually.Until(() => Invocation(clients, commandId, instanceId),
            i => i.Status != CommandInvocationStatus.Pending && i.Status != CommandInvocationStatus.InProgress);
    }

    [Fact]
    public async Task The_agent_document_is_registered_as_the_stack_registers_it_and_described()
    {
        await using var aws = new SimulatedAws(SimulatorOptions.Default, new FakeTimeProvider());
        using var clients = new Clients(aws);

        var described = (await clients.Ssm.DescribeDocumentAsync(new DescribeDocumentRequest { Name = AgentDocument.Name }, Ct)).Document;
        var content = await clients.Ssm.GetDocumentAsync(new GetDocumentRequest { Name = AgentDocument.Name, DocumentVersion = described.DefaultVersion }, Ct);

        Assert.Equal(AgentDocument.Name, aws.AgentDocumentName);
        Assert.Equal(DocumentType.Command, described.DocumentType);
        Assert.Equal("1", described.DefaultVersion);
        Assert.Equal(AgentDocument.TargetType, described.TargetType);
        Assert.Equal([AgentDocument.RequestParameter, AgentDocument.InputsParameter, AgentDocument.FetchInputsParameter, AgentDocument.ExecutionTimeoutParameter],
            described.Parameters.Select(p => p.Name));
        Assert.Null(DocumentComparison.FirstDifference(AgentDocument.Build(AgentScript.Content, new InputsLocation(aws.BucketName, aws.Region)), JsonNode.Parse(content.Content)));
        var duplicate = await Assert.ThrowsAsync<DocumentAlreadyExistsException>(() => clients.Ssm.CreateDocumentAsync(new CreateDocumentRequest
        {
            Name = AgentDocument.Name, Content = content.Content, DocumentType = DocumentType.Command, DocumentFormat = DocumentFormat.JSON,
        }, Ct));
        Assert.NotNull(duplicate);
    }

    [Fact]
    public async Task SendCommand_with_an_unknown_document_or_version_fails_with_InvalidDocument()
    {
        await using var aws = new SimulatedAws(SimulatorOptions.Default, new FakeTimeProvider());
        var id = aws.Fleet.Launch(new InstanceSpec()).InstanceId;
        using var clients = new Clients(aws);
        var runShellScript = Command(aws, AgentRequest.For(AgentVerbs.Status), id);
        runShellScript.DocumentName = "AWS-RunShellScript";
        var otherVersion = Command(aws, AgentRequest.For(AgentVerbs.Status), id);
        otherVersion.DocumentVersion = "2";

        await Assert.ThrowsAsync<InvalidDocumentException>(() => clients.Ssm.SendCommandAsync(runShellScript, Ct));
        await Assert.ThrowsAsync<InvalidDocumentVersionException>(() => clients.Ssm.SendCommandAsync(otherVersion, Ct));
        await Assert.ThrowsAsync<InvalidDocumentException>(() => clients.Ssm.DescribeDocumentAsync(new DescribeDocumentRequest { Name = "ipsec-mesh-agent-000000000000" }, Ct));
    }

    [Theory]
    [InlineData("request", "cHJvdG9jb2wgMQ=='; reboot; echo '")]
    [InlineData("request", "cHJvdG9jb2wgMQ==\n'")]
    [InlineData("inputs", "../../etc/shadow")]
    [InlineData("fetchInputs", "maybe")]
    [InlineData("executionTimeout", "172801")]
    [InlineData("executionTimeout", "4")]
    [InlineData("commands", "reboot")]
    public async Task A_parameter_outside_its_pattern_or_not_defined_fails_the_call_with_InvalidParameters(string name, string value)
    {
        await using var aws = new SimulatedAws(SimulatorOptions.Default, new FakeTimeProvider());
        var id = aws.Fleet.Launch(new InstanceSpec()).InstanceId;
        using var clients = new Clients(aws);
        var request = Command(aws, AgentRequest.For(AgentVerbs.Status), id);
        request.Parameters[name] = [value];

        var error = await Assert.ThrowsAsync<InvalidParametersException>(() => clients.Ssm.SendCommandAsync(request, Ct));

        Assert.Contains(name, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_request_parameter_is_required()
    {
        await using var aws = new SimulatedAws(SimulatorOptions.Default, new FakeTimeProvider());
        var id = aws.Fleet.Launch(new InstanceSpec()).InstanceId;
        using var clients = new Clients(aws);
        var request = Command(aws, AgentRequest.For(AgentVerbs.Status), id);
        request.Parameters.Remove(AgentDocument.RequestParameter);

        await Assert.ThrowsAsync<InvalidParametersException>(() => clients.Ssm.SendCommandAsync(request, Ct));
    }

    [Fact]
    public async Task A_document_over_64_KB_is_refused_and_so_is_a_command_whose_parameters_take_it_over()
    {
        await using var aws = new SimulatedAws(SimulatorOptions.Default, new FakeTimeProvider());
        var id = aws.Fleet.Launch(new InstanceSpec()).InstanceId;
        using var clients = new Clients(aws);
        string Document(int filler) => new JsonObject
        {
            ["schemaVersion"] = "2.2",
            ["parameters"] = new JsonObject { ["text"] = new JsonObject { ["type"] = "String" } },
            ["mainSteps"] = new JsonArray(new JsonObject
            {
                ["action"] = "aws:runShellScript",
                ["name"] = "run",
                ["inputs"] = new JsonObject { ["runCommand"] = new JsonArray("echo '{{ text }}'", "# " + new string('x', filler)) },
            }),
        }.ToJsonString();
        var tooLarge = Document(65_536);
        var nearly = Document(64_000);

        await Assert.ThrowsAsync<MaxDocumentSizeExceededException>(() => clients.Ssm.CreateDocumentAsync(new CreateDocumentRequest
        {
            Name = "too-large", Content = tooLarge, DocumentType = DocumentType.Command, DocumentFormat = DocumentFormat.JSON,
        }, Ct));
        await clients.Ssm.CreateDocumentAsync(new CreateDocumentRequest { Name = "nearly", Content = nearly, DocumentType = DocumentType.Command, DocumentFormat = DocumentFormat.JSON }, Ct);
        await clients.Ssm.SendCommandAsync(new SendCommandRequest { DocumentName = "nearly", InstanceIds = [id], Parameters = new() { ["text"] = ["small"] } }, Ct);
        await Assert.ThrowsAsync<MaxDocumentSizeExceededException>(() => clients.Ssm.SendCommandAsync(new SendCommandRequest
        {
            DocumentName = "nearly", InstanceIds = [id], Parameters = new() { ["text"] = [new string('y', 2_000)] },
        }, Ct));
    }

    [Fact]
    public async Task CreateDocument_refuses_a_reference_to_an_undefined_parameter()
    {
        await using var aws = new SimulatedAws(SimulatorOptions.Default, new FakeTimeProvider());
        using var clients = new Clients(aws);
        var content = """{"schemaVersion":"2.2","mainSteps":[{"action":"aws:runShellScript","name":"run","inputs":{"runCommand":["echo {{ nothing }}"]}}]}""";

        await Assert.ThrowsAsync<InvalidDocumentContentException>(() => clients.Ssm.CreateDocumentAsync(new CreateDocumentRequest
        {
            Name = "undefined-parameter", Content = content, DocumentType = DocumentType.Command, DocumentFormat = DocumentFormat.JSON,
        }, Ct));
    }

    [Fact]
    public async Task The_download_step_puts_the_input_file_where_the_agent_reads_it_and_the_script_carries_only_the_envelope()
    {
        var time = new FakeTimeProvider();
        await using var aws = new SimulatedAws(SimulatorOptions.Default, time);
        ShellScriptRun? seen = null;
        var host = new VirtualHost(VirtualHostOptions.Instant);
        var id = aws.Fleet.Launch(new InstanceSpec { Runtime = new ExternalRuntime((context, run, ct) => { seen = run; return host.ExecuteAsync(context, run, ct); }) }).InstanceId;
        using var clients = new Clients(aws);
        var request = AgentRequest.For(AgentVerbs.Install, new Dictionary<string, string> { ["configHash"] = "0123456789ab" },
            new Dictionary<string, byte[]> { ["config/ipsec-mesh.conf"] = "conn private\n"u8.ToArray(), ["ca-bundle.pem"] = new byte[5000] });
        var inputs = request.ToPayload().Inputs!;

        var sent = await clients.Ssm.SendCommandAsync(Command(aws, request, id), Ct);
        var done = await DoneAsync(clients, time, sent.Command.CommandId, id);
        var download = await clients.Ssm.GetCommandInvocationAsync(new GetCommandInvocationRequest
        {
            CommandId = sent.Command.CommandId, InstanceId = id, PluginName = AgentDocument.DownloadStep,
        }, Ct);

        Assert.Equal(CommandInvocationStatus.Success, done.Status);
        Assert.True(Assert.Single(AgentResult.ParseAll(done.StandardOutputContent)).Ok);
        Assert.Equal(inputs.Content, seen!.Files[$"{AgentDocument.InputsDirectory}/{inputs.Sha256}"]);
        Assert.Equal(CommandInvocationStatus.Success, download.Status);
        Assert.Matches("^main '[A-Za-z0-9+/]+={0,2}'$", seen.RunCommand[^1]);
        Assert.True(seen.Script.Length - AgentScript.Content.Length < 1000, "the script is the agent and the envelope");
    }

    [Fact]
    public async Task A_missing_or_altered_input_file_is_refused_by_the_host_as_inputs_failed()
    {
        var time = new FakeTimeProvider();
        await using var aws = new SimulatedAws(SimulatorOptions.Default, time);
        var id = aws.Fleet.Launch(new InstanceSpec { Runtime = new VirtualHost(VirtualHostOptions.Instant) }).InstanceId;
        using var clients = new Clients(aws);
        var request = AgentRequest.For(AgentVerbs.Install, new Dictionary<string, string> { ["configHash"] = "0123456789ab" },
            new Dictionary<string, byte[]> { ["config/ipsec-mesh.conf"] = "conn private\n"u8.ToArray() });
        var payload = request.ToPayload();
        var send = new SendCommandRequest { DocumentName = aws.AgentDocumentName, InstanceIds = [id], Parameters = AgentDocument.Parameters(payload, 600) };

        var missing = await clients.Ssm.SendCommandAsync(send, Ct);
        var missingDone = await DoneAsync(clients, time, missing.Command.CommandId, id);
        aws.WriteObject(AgentDocument.InputsKey(payload.Inputs!.Sha256), Encoding.ASCII.GetBytes("file config/ipsec-mesh.conf Y29ubiBjbGVhcgo=\n"));
        var altered = await clients.Ssm.SendCommandAsync(send, Ct);
        var alteredDone = await DoneAsync(clients, time, altered.Command.CommandId, id);

        Assert.Equal(CommandInvocationStatus.Failed, missingDone.Status);
        Assert.Equal("inputs_failed", Assert.Single(AgentResult.ParseAll(missingDone.StandardOutputContent)).Code);
        Assert.Equal(13, missingDone.ResponseCode);
        Assert.Contains("not downloaded", Assert.Single(AgentResult.ParseAll(missingDone.StandardOutputContent)).Error, StringComparison.Ordinal);
        Assert.Equal("inputs_failed", Assert.Single(AgentResult.ParseAll(alteredDone.StandardOutputContent)).Code);
        Assert.Contains("another SHA-256", Assert.Single(AgentResult.ParseAll(alteredDone.StandardOutputContent)).Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetCommandInvocation_of_the_two_step_document_needs_the_step_name()
    {
        var time = new FakeTimeProvider();
        await using var aws = new SimulatedAws(SimulatorOptions.Default, time);
        var id = aws.Fleet.Launch(new InstanceSpec { Runtime = new VirtualHost(VirtualHostOptions.Instant) }).InstanceId;
        using var clients = new Clients(aws);
        var sent = await clients.Ssm.SendCommandAsync(Command(aws, AgentRequest.For(AgentVerbs.Status), id), Ct);
        await DoneAsync(clients, time, sent.Command.CommandId, id);

        await Assert.ThrowsAsync<InvalidPluginNameException>(() =>
            clients.Ssm.GetCommandInvocationAsync(new GetCommandInvocationRequest { CommandId = sent.Command.CommandId, InstanceId = id }, Ct));
        var listed = await clients.Ssm.ListCommandInvocationsAsync(new ListCommandInvocationsRequest { CommandId = sent.Command.CommandId, Details = true }, Ct);
        var plugins = Assert.Single(listed.CommandInvocations).CommandPlugins;
        Assert.Equal([AgentDocument.DownloadStep, AgentDocument.AgentStep], plugins.Select(p => p.Name));
        Assert.Equal("Skipped", plugins[0].StatusDetails);
        Assert.StartsWith(AgentResult.LinePrefix, plugins[1].Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_tagged_send_runs_at_most_MaxConcurrency_at_once_and_stops_sending_past_MaxErrors()
    {
        var time = new FakeTimeProvider();
        await using var aws = new SimulatedAws(SimulatorOptions.Default, time);
        var tags = new Dictionary<string, string> { ["IPSec"] = "enabled" };
        var slow = new VirtualHostOptions { Latency = new Dictionary<string, TimeSpan> { ["status"] = TimeSpan.FromSeconds(10) } };
        var ids = Enumerable.Range(0, 20).Select(_ => aws.Fleet.Launch(new InstanceSpec { Tags = tags, Runtime = new VirtualHost(slow) }).InstanceId).ToList();
        var failing = Enumerable.Range(0, 4).Select(_ =>
        {
            var host = new VirtualHost(VirtualHostOptions.Instant);
            host.FailVerbWith(AgentVerbs.Status, "not_running", "pluto is down");
            return aws.Fleet.Launch(new InstanceSpec { Tags = new Dictionary<string, string> { ["IPSec"] = "broken" }, Runtime = host }).InstanceId;
        }).ToList();
        using var clients = new Clients(aws);
        var byTag = Command(aws, AgentRequest.For(AgentVerbs.Status));
        byTag.InstanceIds = null;
        byTag.Targets = [new Target { Key = "tag:IPSec", Values = ["enabled"] }];
        byTag.MaxConcurrency = "10%";
        byTag.MaxErrors = "100%";

        var sent = await clients.Ssm.SendCommandAsync(byTag, Ct);
        var inProgress = new List<int>();
        for (var second = 0; second < 120; second++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(5, Ct);
            var page = await clients.Ssm.ListCommandInvocationsAsync(new ListCommandInvocationsRequest { CommandId = sent.Command.CommandId }, Ct);
            inProgress.Add(page.CommandInvocations.Count(i => i.Status == CommandInvocationStatus.InProgress));
            if (page.CommandInvocations.All(i => i.Status == CommandInvocationStatus.Success)) break;
        }
        var broken = Command(aws, AgentRequest.For(AgentVerbs.Status));
        broken.InstanceIds = null;
        broken.Targets = [new Target { Key = "tag:IPSec", Values = ["broken"] }];
        broken.MaxConcurrency = "1";
        broken.MaxErrors = "1";
        var cut = await clients.Ssm.SendCommandAsync(broken, Ct);
        // The runner takes each step when simulated time passes and its continuations have run: a fixed ten seconds of
        // simulated time, 5 wall ms apart, left the last steps undone when a loaded machine ran those continuations late.
        List<CommandInvocation> cutInvocations;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        do
        {
            time.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(5, Ct);
            cutInvocations = (await clients.Ssm.ListCommandInvocationsAsync(new ListCommandInvocationsRequest { CommandId = cut.Command.CommandId }, Ct)).CommandInvocations;
        }
        while (cutInvocations.Any(i => i.Status == CommandInvocationStatus.Pending || i.Status == CommandInvocationStatus.InProgress || i.Status == CommandInvocationStatus.Delayed)
            && DateTime.UtcNow < deadline);
        var cutCommand = Assert.Single((await clients.Ssm.ListCommandsAsync(new ListCommandsRequest { CommandId = cut.Command.CommandId }, Ct)).Commands);

        Assert.Equal(2, inProgress.Max());
        Assert.True(inProgress.Count >= 50, $"20 hosts of 10 s, two at a time, take 100 s; all done after {inProgress.Count} s");
        Assert.Equal(2, cutInvocations.Count(i => i.Status == CommandInvocationStatus.Failed));
        Assert.Equal(2, cutInvocations.Count(i => i.Status == CommandInvocationStatus.Cancelled && i.StatusDetails == "Terminated"));
        Assert.Equal(CommandStatus.Failed, cutCommand.Status);
        Assert.Equal("1", cutCommand.MaxErrors);
        Assert.Equal(ids.Count, (await clients.Ssm.ListCommandInvocationsAsync(new ListCommandInvocationsRequest { CommandId = sent.Command.CommandId }, Ct)).CommandInvocations.Count);
        Assert.Equal(4, failing.Count);
    }
}
