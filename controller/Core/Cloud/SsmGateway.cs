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

    public async Task<CommandSnapshot> FetchAsync(TrackedCommand command, string instanceId, CancellationToken cancellationToken)
    {
        var request = new GetCommandInvocationRequest { CommandId = command.CommandId, InstanceId = instanceId };
        var invocation = await _meter.CallAsync("ssm", "GetCommandInvocation", () => _ssm.GetCommandInvocationAsync(request, cancellationToken));
        var status = ParseStatus(invocation.Status?.Value);
        if (status is not (CommandStatus.Pending or CommandStatus.InProgress))
            _telemetry.RecordSsmCommand(command.CommandId, command.Verbs, status.ToString(), command.SentAt, _time.GetUtcNow());
        return new CommandSnapshot
        {
            CommandId = command.CommandId,
            Verbs = command.Verbs,
            SentAt = command.SentAt,
            SentConfigHash = command.ConfigHash,
            Status = status,
            Results = AgentResult.ParseAll(invocation.StandardOutputContent),
            ErrorTail = Tail(invocation.StandardErrorContent),
        };
    }

    public async Task<IReadOnlyList<InvocationSummary>> ListInvocationsAsync(DateTimeOffset since, string? commandId, bool details, CancellationToken cancellationToken)
    {
        var found = new List<InvocationSummary>();
        string? token = null;
        do
        {
            var request = new ListCommandInvocationsRequest { CommandId = commandId, Details = details, MaxResults = 50, NextToken = token };
            if (commandId is null)
                request.Filters = [new CommandFilter { Key = CommandFilterKey.InvokedAfter, Value = since.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture) }];
            var response = await _meter.CallAsync("ssm", "ListCommandInvocations", () => _ssm.ListCommandInvocationsAsync(request, cancellationToken));
            foreach (var invocation in response.CommandInvocations ?? [])
            {
                if (invocation.InstanceId is null || invocation.CommandId is null) continue;
                var output = details ? string.Concat((invocation.CommandPlugins ?? []).Select(p => p.Output)) : null;
                found.Add(new InvocationSummary(invocation.CommandId, invocation.InstanceId, ParseStatus(invocation.Status?.Value), invocation.Comment,
                    new DateTimeOffset(DateTime.SpecifyKind(invocation.RequestedDateTime ?? DateTime.MinValue, DateTimeKind.Utc)), output));
            }
            token = string.IsNullOrEmpty(response.NextToken) ? null : response.NextToken;
        }
        while (token is not null);
        return found;
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

    public Task<bool> IsAgentOnlineAsync(string instanceId, CancellationToken cancellationToken) =>
        _agents.SubmitAsync("", instanceId, cancellationToken);

    public async Task<IReadOnlyDictionary<string, TrackedCommand>> RecoverAsync(DateTimeOffset since, CancellationToken cancellationToken)
    {
        var newest = new Dictionary<string, TrackedCommand>(StringComparer.Ordinal);
        foreach (var invocation in await ListInvocationsAsync(since, null, details: false, cancellationToken))
        {
            if (AgentCommand.ParseComment(invocation.Comment) is not { } comment) continue;
            // Status collection is not a step of a reconcile: nothing to resume.
            if (comment.Verbs is [AgentVerbs.Status]) continue;
            if (!newest.TryGetValue(invocation.InstanceId, out var known) || known.SentAt < invocation.RequestedAt)
                newest[invocation.InstanceId] = new TrackedCommand(invocation.CommandId, comment.Verbs, invocation.RequestedAt, comment.ConfigHash);
        }
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
        await _agents.DisposeAsync();
    }
}
