using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Amazon.SimpleSystemsManagement;
using Amazon.SimpleSystemsManagement.Model;
using IpsecMesh.Core.Options;
using IpsecMesh.Core.Reconcile;
using IpsecMesh.Core.Telemetry;
using IpsecMesh.HostAgent;
using IpsecMesh.HostAgent.Protocol;
using CommandStatus = IpsecMesh.Core.Reconcile.CommandStatus;

namespace IpsecMesh.Core.Cloud;

/// <summary>SSM Run Command over the SDK, batched: SendCommand to up to 50 instances, one ListCommandInvocations per command for many polls.</summary>
public sealed class SsmGateway : ISsmGateway, IAsyncDisposable
{
    private const int SendBatch = 50;
    private const int InformationBatch = 50;
    private const int ErrorTailChars = 400;

    private readonly IAmazonSimpleSystemsManagement _ssm;
    private readonly IpsecMeshOptions _options;
    private readonly TimeProvider _time;
    private readonly AwsCallMeter _meter;
    private readonly IpsecMeshTelemetry _telemetry;
    private readonly Batcher<string, string> _sends;
    private readonly Batcher<string, string> _statuses;
    private readonly Batcher<string, bool> _agents;
    // Rendered commands by batch group, with how many sends still wait on them.
    private readonly Dictionary<string, (IReadOnlyList<string> Commands, int Users)> _renderedByGroup = [];
    private readonly object _gate = new();

    public SsmGateway(IAmazonSimpleSystemsManagement ssm, IpsecMeshOptions options, TimeProvider time, AwsCallMeter meter, IpsecMeshTelemetry telemetry, TimeSpan window)
    {
        _ssm = ssm;
        _options = options;
        _time = time;
        _meter = meter;
        _telemetry = telemetry;
        _sends = new Batcher<string, string>(SendBatch, window, time, SendBatchAsync);
        _statuses = new Batcher<string, string>(1000, window, time, ListStatusesAsync);
        _agents = new Batcher<string, bool>(InformationBatch, window, time, DescribeAgentsAsync);
    }

    public async Task<string> SendAsync(string instanceId, AgentRequest request, CancellationToken cancellationToken)
    {
        var commands = AgentCommand.Render(AgentScript.Content, request);
        var group = AgentCommand.Comment(request) + "\n" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', commands))));
        lock (_gate)
            _renderedByGroup[group] = (commands, _renderedByGroup.TryGetValue(group, out var known) ? known.Users + 1 : 1);
        try
        {
            return await _sends.SubmitAsync(group, instanceId, cancellationToken);
        }
        finally
        {
            lock (_gate)
            {
                var (rendered, users) = _renderedByGroup[group];
                if (users <= 1) _renderedByGroup.Remove(group);
                else _renderedByGroup[group] = (rendered, users - 1);
            }
        }
    }

    public async Task<CommandSnapshot> PollAsync(TrackedCommand command, string instanceId, CancellationToken cancellationToken)
    {
        var status = ParseStatus(await _statuses.SubmitAsync(command.CommandId, instanceId, cancellationToken));
        var snapshot = new CommandSnapshot { CommandId = command.CommandId, Verbs = command.Verbs, SentAt = command.SentAt, Status = status };
        if (!snapshot.IsFinished) return snapshot;

        var request = new GetCommandInvocationRequest { CommandId = command.CommandId, InstanceId = instanceId };
        var invocation = await _meter.CallAsync("ssm", "GetCommandInvocation", () => _ssm.GetCommandInvocationAsync(request, cancellationToken));
        var finalStatus = ParseStatus(invocation.Status?.Value ?? status.ToString());
        _telemetry.RecordSsmCommand(command.CommandId, command.Verbs, finalStatus.ToString(), command.SentAt, _time.GetUtcNow());
        return snapshot with
        {
            Status = finalStatus,
            Results = AgentResult.ParseAll(invocation.StandardOutputContent),
            ErrorTail = Tail(invocation.StandardErrorContent),
        };
    }

    public async Task<string> SendToTaggedAsync(string tagKey, string tagValue, AgentRequest request, CancellationToken cancellationToken)
    {
        var sendRequest = new SendCommandRequest
        {
            DocumentName = _options.SsmDocument,
            Targets = [new Target { Key = "tag:" + tagKey, Values = [tagValue] }],
            Comment = AgentCommand.Comment(request),
            MaxConcurrency = "10%",
            MaxErrors = "100%",
            TimeoutSeconds = (int)Math.Max(30, _options.CommandTimeout.TotalSeconds),
            Parameters = new Dictionary<string, List<string>>
            {
                ["commands"] = [.. AgentCommand.Render(AgentScript.Content, request)],
                ["executionTimeout"] = ["120"],
            },
        };
        var response = await _meter.CallAsync("ssm", "SendCommand", () => _ssm.SendCommandAsync(sendRequest, cancellationToken));
        return response.Command.CommandId;
    }

    public async Task<IReadOnlyDictionary<string, string>> ListOutputsAsync(string commandId, CancellationToken cancellationToken)
    {
        var outputs = new Dictionary<string, string>(StringComparer.Ordinal);
        string? token = null;
        do
        {
            var request = new ListCommandInvocationsRequest { CommandId = commandId, Details = true, MaxResults = 50, NextToken = token };
            var response = await _meter.CallAsync("ssm", "ListCommandInvocations", () => _ssm.ListCommandInvocationsAsync(request, cancellationToken));
            foreach (var invocation in response.CommandInvocations ?? [])
            {
                if (invocation.InstanceId is null || ParseStatus(invocation.Status?.Value) is CommandStatus.Pending or CommandStatus.InProgress) continue;
                outputs[invocation.InstanceId] = string.Concat((invocation.CommandPlugins ?? []).Select(p => p.Output));
            }
            token = string.IsNullOrEmpty(response.NextToken) ? null : response.NextToken;
        }
        while (token is not null);
        return outputs;
    }

    public Task<bool> IsAgentOnlineAsync(string instanceId, CancellationToken cancellationToken) =>
        _agents.SubmitAsync("", instanceId, cancellationToken);

    public async Task<IReadOnlyDictionary<string, TrackedCommand>> RecoverAsync(DateTimeOffset since, CancellationToken cancellationToken)
    {
        var newest = new Dictionary<string, TrackedCommand>(StringComparer.Ordinal);
        string? token = null;
        do
        {
            var request = new ListCommandInvocationsRequest
            {
                Filters = [new CommandFilter { Key = CommandFilterKey.InvokedAfter, Value = since.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture) }],
                MaxResults = 50,
                NextToken = token,
            };
            var response = await _meter.CallAsync("ssm", "ListCommandInvocations", () => _ssm.ListCommandInvocationsAsync(request, cancellationToken));
            foreach (var invocation in response.CommandInvocations ?? [])
            {
                if (AgentCommand.VerbsFromComment(invocation.Comment) is not { } verbs || invocation.InstanceId is null) continue;
                var sentAt = new DateTimeOffset(DateTime.SpecifyKind(invocation.RequestedDateTime ?? DateTime.MinValue, DateTimeKind.Utc));
                if (!newest.TryGetValue(invocation.InstanceId, out var known) || known.SentAt < sentAt)
                    newest[invocation.InstanceId] = new TrackedCommand(invocation.CommandId, verbs, sentAt);
            }
            token = string.IsNullOrEmpty(response.NextToken) ? null : response.NextToken;
        }
        while (token is not null);
        return newest;
    }

    private async Task<IReadOnlyDictionary<string, string>> SendBatchAsync(string group, IReadOnlyList<string> instanceIds, CancellationToken cancellationToken)
    {
        IReadOnlyList<string> commands;
        lock (_gate) commands = _renderedByGroup[group].Commands;
        var request = new SendCommandRequest
        {
            DocumentName = _options.SsmDocument,
            InstanceIds = [.. instanceIds],
            Comment = group[..group.IndexOf('\n', StringComparison.Ordinal)],
            TimeoutSeconds = (int)Math.Max(30, _options.CommandTimeout.TotalSeconds),
            Parameters = new Dictionary<string, List<string>>
            {
                ["commands"] = [.. commands],
                ["executionTimeout"] = [((int)_options.CommandTimeout.TotalSeconds).ToString(CultureInfo.InvariantCulture)],
            },
        };
        var response = await _meter.CallAsync("ssm", "SendCommand", () => _ssm.SendCommandAsync(request, cancellationToken));
        return instanceIds.ToDictionary(id => id, _ => response.Command.CommandId, StringComparer.Ordinal);
    }

    private async Task<IReadOnlyDictionary<string, string>> ListStatusesAsync(string commandId, IReadOnlyList<string> instanceIds, CancellationToken cancellationToken)
    {
        // Right after SendCommand an invocation may not be listed yet: absent means still pending.
        var statuses = instanceIds.ToDictionary(id => id, _ => "Pending", StringComparer.Ordinal);
        string? token = null;
        do
        {
            var request = new ListCommandInvocationsRequest { CommandId = commandId, MaxResults = 50, NextToken = token };
            var response = await _meter.CallAsync("ssm", "ListCommandInvocations", () => _ssm.ListCommandInvocationsAsync(request, cancellationToken));
            foreach (var invocation in response.CommandInvocations ?? [])
                if (invocation.InstanceId is not null && statuses.ContainsKey(invocation.InstanceId))
                    statuses[invocation.InstanceId] = invocation.Status?.Value ?? "Pending";
            token = string.IsNullOrEmpty(response.NextToken) ? null : response.NextToken;
        }
        while (token is not null);
        return statuses;
    }

    private async Task<IReadOnlyDictionary<string, bool>> DescribeAgentsAsync(string _, IReadOnlyList<string> instanceIds, CancellationToken cancellationToken)
    {
        var online = instanceIds.ToDictionary(id => id, _ => false, StringComparer.Ordinal);
        string? token = null;
        do
        {
            var request = new DescribeInstanceInformationRequest
            {
                Filters = [new InstanceInformationStringFilter { Key = "InstanceIds", Values = [.. instanceIds] }],
                MaxResults = 50,
                NextToken = token,
            };
            var response = await _meter.CallAsync("ssm", "DescribeInstanceInformation", () => _ssm.DescribeInstanceInformationAsync(request, cancellationToken));
            foreach (var info in response.InstanceInformationList ?? [])
                if (info.InstanceId is not null && online.ContainsKey(info.InstanceId))
                    online[info.InstanceId] = info.PingStatus == PingStatus.Online;
            token = string.IsNullOrEmpty(response.NextToken) ? null : response.NextToken;
        }
        while (token is not null);
        return online;
    }

    internal static CommandStatus ParseStatus(string? status) => status switch
    {
        "Success" => CommandStatus.Success,
        "Failed" => CommandStatus.Failed,
        "TimedOut" => CommandStatus.TimedOut,
        "Cancelled" => CommandStatus.Cancelled,
        "InProgress" or "Delayed" or "Cancelling" => CommandStatus.InProgress,
        _ => CommandStatus.Pending,
    };

    private static string? Tail(string? stderr)
    {
        if (string.IsNullOrWhiteSpace(stderr)) return null;
        var tail = stderr.Length <= ErrorTailChars ? stderr : stderr[^ErrorTailChars..];
        return StatusText.Clean(tail.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? tail, 160);
    }

    public async ValueTask DisposeAsync()
    {
        await _sends.DisposeAsync();
        await _statuses.DisposeAsync();
        await _agents.DisposeAsync();
    }
}
