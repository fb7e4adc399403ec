using System.Globalization;
using Amazon.SimpleSystemsManagement;
using Amazon.SimpleSystemsManagement.Model;
using IpsecMesh.Core.Model;
using IpsecMesh.HostAgent.Document;
using IpsecMesh.HostAgent.Protocol;
using CommandStatus = IpsecMesh.Core.Model.CommandStatus;

namespace IpsecMesh.Core.Cloud;

/// <summary>
/// Reading commands back: a finished invocation's full output (GetCommandInvocation), the paged listing of invocations
/// (ListCommandInvocations, 50 a page), and the recovery of the controller's own recent commands by their comment.
/// </summary>
public sealed partial class SsmGateway
{
    public async Task<CommandSnapshot> FetchAsync(TrackedCommand command, string instanceId, CancellationToken cancellationToken)
    {
        // The document has two steps (download, agent): the agent step's output is the command's.
        var request = new GetCommandInvocationRequest { CommandId = command.CommandId, InstanceId = instanceId, PluginName = AgentDocument.AgentStep };
        GetCommandInvocationResponse invocation;
        try
        {
            invocation = await _ssm.GetCommandInvocationAsync(request, cancellationToken);
        }
        catch (InvalidPluginNameException)
        {
            // A command of a version before the agent document (AWS-RunShellScript, one step), resumed after an upgrade.
            request.PluginName = null;
            invocation = await _ssm.GetCommandInvocationAsync(request, cancellationToken);
        }
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
            var response = await _ssm.ListCommandInvocationsAsync(request, cancellationToken);
            foreach (var invocation in response.CommandInvocations ?? [])
            {
                if (invocation.InstanceId is null || invocation.CommandId is null) continue;
                var plugins = invocation.CommandPlugins ?? [];
                // The agent step's output; a one-step command of an earlier version has only its own.
                var output = details ? plugins.FirstOrDefault(p => p.Name == AgentDocument.AgentStep)?.Output ?? (plugins.Count == 1 ? plugins[0].Output : null) : null;
                found.Add(new InvocationSummary(invocation.CommandId, invocation.InstanceId, ParseStatus(invocation.Status?.Value), invocation.Comment,
                    new DateTimeOffset(DateTime.SpecifyKind(invocation.RequestedDateTime ?? DateTime.MinValue, DateTimeKind.Utc)), output));
            }
            token = string.IsNullOrEmpty(response.NextToken) ? null : response.NextToken;
        }
        while (token is not null);
        return found;
    }

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
}
