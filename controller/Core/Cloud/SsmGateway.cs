using System.Security.Cryptography;
using System.Text.Json;
using Amazon.SimpleSystemsManagement;
using Amazon.SimpleSystemsManagement.Model;
using IpsecMesh.Core.Model;
using IpsecMesh.Core.Options;
using IpsecMesh.Core.Telemetry;
using IpsecMesh.HostAgent.Document;
using IpsecMesh.HostAgent.Protocol;
using Microsoft.Extensions.Logging;
using CommandStatus = IpsecMesh.Core.Model.CommandStatus;

namespace IpsecMesh.Core.Cloud;

/// <summary>
/// SSM Run Command over the SDK, batched: SendCommand of the agent document to up to 50 instances
/// with identical parameters (the request envelope; its input file written once to the bucket
/// first), one ListCommandInvocations per command for many polls. An instance SSM refuses
/// (InvalidInstanceId fails the whole call) is dropped and the rest of the batch sent again at once.
/// </summary>
public sealed partial class SsmGateway : ISsmGateway, IAsyncDisposable
{
    private const int SendBatch = 50;
    private const int InformationBatch = 50;
    private const int ErrorTailChars = 400;

    private readonly IAmazonSimpleSystemsManagement _ssm;
    private readonly IpsecMeshOptions _options;
    private readonly TimeProvider _time;
    private readonly IpsecMeshTelemetry _telemetry;
    private readonly AgentDocumentBinding _document;
    private readonly HostInputStore _inputs;
    private readonly ILogger<SsmGateway> _logger;
    private readonly Batcher<string, SendOutcome> _sends;
    private readonly Batcher<string, bool> _agents;
    // SendCommand parameters by batch group, with how many sends still wait on them.
    private readonly Dictionary<string, (Dictionary<string, List<string>> Parameters, int Users)> _parametersByGroup = [];
    private readonly object _gate = new();

    public SsmGateway(IAmazonSimpleSystemsManagement ssm, IpsecMeshOptions options, TimeProvider time, IpsecMeshTelemetry telemetry, TimeSpan window,
        AgentDocumentBinding document, HostInputStore inputs, ILogger<SsmGateway> logger)
    {
        _ssm = ssm;
        _options = options;
        _time = time;
        _telemetry = telemetry;
        _document = document;
        _inputs = inputs;
        _logger = logger;
        _sends = new Batcher<string, SendOutcome>(SendBatch, window, time, SendBatchAsync);
        _agents = new Batcher<string, bool>(InformationBatch, window, time, DescribeAgentsAsync);
        _certificateSends = new Batcher<string, SendOutcome>(SendBatch, window, time, SendCertificateBatchAsync);
    }

    /// <summary>aws:runShellScript's timeoutSeconds: CommandTimeout, validated at start to 5 s..48 h in whole seconds.</summary>
    private int ExecutionTimeoutSeconds => (int)_options.CommandTimeout.TotalSeconds;

    /// <summary>SendCommand's TimeoutSeconds (how long an undelivered command waits): SSM takes 30 to 2,592,000.</summary>
    private int DeliveryTimeoutSeconds => Math.Max(30, ExecutionTimeoutSeconds);

    public async Task<string> SendAsync(string instanceId, AgentRequest request, CancellationToken cancellationToken)
    {
        var payload = request.ToPayload();
        var parameters = AgentDocument.Parameters(payload, ExecutionTimeoutSeconds);
        if (payload.Inputs is not null) await _inputs.EnsureAsync(payload.Inputs, cancellationToken);
        var group = AgentCommand.Comment(request) + "\n" + Convert.ToHexString(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(parameters)));
        lock (_gate)
            _parametersByGroup[group] = (parameters, _parametersByGroup.TryGetValue(group, out var known) ? known.Users + 1 : 1);
        try
        {
            var outcome = await _sends.SubmitAsync(group, instanceId, cancellationToken);
            return outcome.CommandId ?? throw outcome.Error!;
        }
        finally
        {
            lock (_gate)
            {
                var (known, users) = _parametersByGroup[group];
                if (users <= 1) _parametersByGroup.Remove(group);
                else _parametersByGroup[group] = (known, users - 1);
            }
        }
    }

    public async Task<string> SendToTaggedAsync(string tagKey, string tagValue, AgentRequest request, CancellationToken cancellationToken)
    {
        var payload = request.ToPayload();
        if (payload.Inputs is not null) await _inputs.EnsureAsync(payload.Inputs, cancellationToken);
        var sendRequest = new SendCommandRequest
        {
            DocumentName = _document.Name,
            DocumentVersion = _document.Version,
            Targets = [new Target { Key = "tag:" + tagKey, Values = [tagValue] }],
            Comment = AgentCommand.Comment(request),
            MaxConcurrency = "10%",
            MaxErrors = "100%",
            TimeoutSeconds = DeliveryTimeoutSeconds,
            Parameters = AgentDocument.Parameters(payload, Math.Min(120, ExecutionTimeoutSeconds)),
        };
        var response = await _ssm.SendCommandAsync(sendRequest, cancellationToken);
        return response.Command.CommandId;
    }

    public Task<bool> IsAgentOnlineAsync(string instanceId, CancellationToken cancellationToken) =>
        _agents.SubmitAsync("", instanceId, cancellationToken);

    private async Task<IReadOnlyDictionary<string, SendOutcome>> SendBatchAsync(string group, IReadOnlyList<string> instanceIds, CancellationToken cancellationToken)
    {
        Dictionary<string, List<string>> parameters;
        lock (_gate) parameters = _parametersByGroup[group].Parameters;
        var comment = group[..group.IndexOf('\n', StringComparison.Ordinal)];
        var outcomes = new Dictionary<string, SendOutcome>(StringComparer.Ordinal);
        await SendToAsync(instanceIds, comment, parameters, outcomes, cancellationToken);
        return outcomes;
    }

    /// <summary>
    /// One SendCommand, and, when SSM refuses instances of the batch (InvalidInstanceId fails the whole
    /// call), those instances fail and the others get the command at once: by the ids SSM's message names,
    /// else by sending each half of the batch on its own.
    /// </summary>
    private async Task SendToAsync(IReadOnlyList<string> instanceIds, string comment, Dictionary<string, List<string>> parameters,
        Dictionary<string, SendOutcome> outcomes, CancellationToken cancellationToken)
    {
        try
        {
            var request = new SendCommandRequest
            {
                DocumentName = _document.Name,
                DocumentVersion = _document.Version,
                InstanceIds = [.. instanceIds],
                Comment = comment,
                TimeoutSeconds = DeliveryTimeoutSeconds,
                Parameters = parameters,
            };
            var response = await _ssm.SendCommandAsync(request, cancellationToken);
            foreach (var id in instanceIds) outcomes[id] = new SendOutcome(response.Command.CommandId, null);
        }
        catch (InvalidInstanceIdException refused)
        {
            var named = instanceIds.Where(id => refused.Message.Contains(id, StringComparison.Ordinal)).ToList();
            if (instanceIds.Count == 1 || named.Count == instanceIds.Count)
            {
                foreach (var id in instanceIds) outcomes[id] = new SendOutcome(null, refused);
                return;
            }
            if (named.Count > 0)
            {
                CloudLog.InvalidInstancesDropped(_logger, named.Count, instanceIds.Count);
                foreach (var id in named) outcomes[id] = new SendOutcome(null, refused);
                await SendToAsync([.. instanceIds.Except(named, StringComparer.Ordinal)], comment, parameters, outcomes, cancellationToken);
                return;
            }
            var half = instanceIds.Count / 2;
            await SendToAsync([.. instanceIds.Take(half)], comment, parameters, outcomes, cancellationToken);
            await SendToAsync([.. instanceIds.Skip(half)], comment, parameters, outcomes, cancellationToken);
        }
    }

    /// <summary>What one instance's send came to: the command id, or why SSM refused the instance.</summary>
    private sealed record SendOutcome(string? CommandId, Exception? Error);

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
            var response = await _ssm.DescribeInstanceInformationAsync(request, cancellationToken);
            foreach (var info in response.InstanceInformationList ?? [])
                if (info.InstanceId is not null && online.ContainsKey(info.InstanceId))
                    online[info.InstanceId] = info.PingStatus == PingStatus.Online;
            token = string.IsNullOrEmpty(response.NextToken) ? null : response.NextToken;
        }
        while (token is not null);
        return online;
    }

    public async ValueTask DisposeAsync()
    {
        await _sends.DisposeAsync();
        await _agents.DisposeAsync();
        await _certificateSends.DisposeAsync();
    }
}
