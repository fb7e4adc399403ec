using System.Globalization;
using System.Text.Json.Nodes;
using IpsecMesh.Simulator.Faults;
using IpsecMesh.Simulator.Wire;

namespace IpsecMesh.Simulator.Ssm;

/// <summary>SSM Run Command over JSON 1.1 (X-Amz-Target "AmazonSSM.*"), with AWS's limits and output truncation.</summary>
internal sealed class SsmService : JsonService
{
    private const int MaxInstanceIds = 50;
    private const int MaxStdout = 24_000;
    private const int MaxStderr = 8_000;
    private const int MaxListOutput = 2_500;
    private readonly Fleet _fleet;
    private readonly SeededRandom _random;
    private readonly TimeProvider _time;
    private readonly Lock _sync = new();
    private readonly List<SsmCommand> _commands = [];
    private readonly Dictionary<string, SsmCommand> _byId = new(StringComparer.Ordinal);

    public SsmService(Fleet fleet, SimulatedKms kms, TimeProvider time, SeededRandom random, TimeSpan deliveryLatency)
    {
        _fleet = fleet;
        _random = random;
        _time = time;
        Runner = new CommandRunner(fleet, kms, time, deliveryLatency, _sync);
    }

    public CommandRunner Runner { get; }

    /// <summary>Every invocation so far, in the order the commands were sent.</summary>
    public IReadOnlyList<InvocationRecord> History()
    {
        lock (_sync)
        {
            return _commands.SelectMany(c => c.Invocations)
                .Select(i => new InvocationRecord(i.Command.CommandId, i.InstanceId, i.Command.Comment, i.Status, i.Command.RequestedAt, i.StartedAt, i.EndedAt))
                .ToList();
        }
    }

    public override string Name => "ssm";

    protected override string TargetPrefix => "AmazonSSM";

    protected override string InternalErrorCode => "InternalServerError";

    protected override Task<JsonObject> InvokeAsync(string operation, JsonArgs args, CancellationToken cancellationToken) =>
        Task.FromResult(operation switch
        {
            "SendCommand" => SendCommand(args),
            "GetCommandInvocation" => GetCommandInvocation(args),
            "ListCommandInvocations" => ListCommandInvocations(args),
            "ListCommands" => ListCommands(args),
            "CancelCommand" => CancelCommand(args),
            "DescribeInstanceInformation" => DescribeInstanceInformation(args),
            _ => throw UnknownOperation(operation),
        });

    private JsonObject SendCommand(JsonArgs args)
    {
        var document = args.RequiredString("DocumentName");
        var ids = args.Strings("InstanceIds");
        var targets = args.Array("Targets");
        if (ids.Count > MaxInstanceIds)
            throw JsonArgs.Validation($"1 validation error detected: Value at 'instanceIds' failed to satisfy constraint: Member must have length less than or equal to {MaxInstanceIds}");
        if ((ids.Count == 0) == (targets.Count == 0))
            throw new AwsServiceException(400, "InvalidParameters", "Specify either InstanceIds or Targets, not both and not neither");
        var parameters = args.Body["Parameters"] as JsonObject ?? [];
        if (parameters["commands"] is not JsonArray commandsArray || commandsArray.Count == 0)
            throw new AwsServiceException(400, "InvalidParameters", "document requires parameter 'commands'");
        var commands = commandsArray.Select(c => c?.GetValue<string>() ?? "").ToArray();
        var timeoutSeconds = args.Int("TimeoutSeconds") ?? 3600;
        if (timeoutSeconds is < 30 or > 2_592_000) throw JsonArgs.Validation("TimeoutSeconds must be within 30..2592000");
        var executionTimeout = parameters["executionTimeout"] is JsonArray { Count: > 0 } et && int.TryParse(et[0]?.GetValue<string>(), out var seconds) ? seconds : 3600;
        var instanceIds = ids.Count > 0 ? ValidInstances(ids) : ResolveTargets(targets);
        var now = _time.GetUtcNow();
        var command = new SsmCommand
        {
            CommandId = _random.Guid().ToString(),
            DocumentName = document,
            Comment = args.String("Comment"),
            Commands = commands,
            Parameters = (JsonObject)parameters.DeepClone(),
            Targets = (JsonArray)targets.DeepClone(),
            RequestedInstanceIds = ids,
            RequestedAt = now,
            DeliveryTimeout = TimeSpan.FromSeconds(timeoutSeconds),
            ExecutionTimeout = TimeSpan.FromSeconds(executionTimeout),
        };
        foreach (var id in instanceIds) command.Invocations.Add(new SsmInvocation(command, id));
        lock (_sync)
        {
            _commands.Add(command);
            _byId[command.CommandId] = command;
        }
        foreach (var invocation in command.Invocations) Runner.Submit(invocation);
        lock (_sync) return new JsonObject { ["Command"] = CommandJson(command, timeoutSeconds) };
    }

    private string[] ValidInstances(IReadOnlyList<string> ids)
    {
        var invalid = ids.Where(id => _fleet.TryGet(id) is not { } i || i.State == InstanceState.Terminated).ToArray();
        if (invalid.Length > 0)
            throw new AwsServiceException(400, "InvalidInstanceId", $"Instances [[{string.Join(", ", invalid)}]] not in a valid state for account");
        return ids.Distinct(StringComparer.Ordinal).ToArray();
    }

    private string[] ResolveTargets(JsonArray targets)
    {
        IEnumerable<SimInstance> matching = _fleet.Instances.Where(i => i.State != InstanceState.Terminated);
        foreach (var target in targets.OfType<JsonObject>())
        {
            var key = target["Key"]?.GetValue<string>() ?? "";
            var values = (target["Values"] as JsonArray ?? []).Select(v => v?.GetValue<string>() ?? "").ToHashSet(StringComparer.Ordinal);
            if (key.StartsWith("tag:", StringComparison.Ordinal))
                matching = matching.Where(i => i.Tag(key[4..]) is { } v && values.Contains(v));
            else if (key == "InstanceIds")
                matching = matching.Where(i => values.Contains(i.InstanceId));
            else
                throw new AwsServiceException(400, "InvalidParameters", $"the simulator supports Targets keys tag:K and InstanceIds, not '{key}'");
        }
        return matching.Select(i => i.InstanceId).ToArray();
    }

    private JsonObject GetCommandInvocation(JsonArgs args)
    {
        var commandId = args.RequiredString("CommandId");
        var instanceId = args.RequiredString("InstanceId");
        lock (_sync)
        {
            var invocation = _byId.GetValueOrDefault(commandId)?.Invocations.FirstOrDefault(i => i.InstanceId == instanceId)
                ?? throw new AwsServiceException(400, "InvocationDoesNotExist", "An error occurred (InvocationDoesNotExist)");
            var end = invocation.EndedAt ?? _time.GetUtcNow();
            return new JsonObject
            {
                ["CommandId"] = commandId,
                ["InstanceId"] = instanceId,
                ["Comment"] = invocation.Command.Comment,
                ["DocumentName"] = invocation.Command.DocumentName,
                ["DocumentVersion"] = "$DEFAULT",
                ["PluginName"] = "aws:runShellScript",
                ["ResponseCode"] = invocation.ResponseCode,
                ["ExecutionStartDateTime"] = invocation.StartedAt is { } s ? IsoTime(s) : "",
                ["ExecutionElapsedTime"] = invocation.StartedAt is { } started ? ElapsedTime(end - started) : "",
                ["ExecutionEndDateTime"] = invocation.EndedAt is { } e ? IsoTime(e) : "",
                ["Status"] = invocation.Status,
                ["StatusDetails"] = invocation.StatusDetails,
                ["StandardOutputContent"] = Truncate(invocation.Stdout, MaxStdout),
                ["StandardOutputUrl"] = "",
                ["StandardErrorContent"] = Truncate(invocation.Stderr, MaxStderr),
                ["StandardErrorUrl"] = "",
                ["CloudWatchOutputConfig"] = new JsonObject { ["CloudWatchLogGroupName"] = "", ["CloudWatchOutputEnabled"] = false },
            };
        }
    }

    private JsonObject ListCommandInvocations(JsonArgs args)
    {
        var maxResults = args.Int("MaxResults") ?? 50;
        if (maxResults is < 1 or > 50) throw JsonArgs.Validation("MaxResults must be within 1..50");
        var commandId = args.String("CommandId");
        var instanceId = args.String("InstanceId");
        var details = args.Bool("Details") ?? false;
        var filters = CommandFilters(args);
        lock (_sync)
        {
            if (commandId is not null && !_byId.ContainsKey(commandId)) throw new AwsServiceException(400, "InvalidCommandId", "the command id is not valid");
            var all = Enumerable.Reverse(_commands)
                .Where(c => commandId is null || c.CommandId == commandId)
                .SelectMany(c => c.Invocations)
                .Where(i => instanceId is null || i.InstanceId == instanceId)
                .Where(i => filters.All(f => f(i.Command, i.Status)));
            var (page, next) = Page(all, args.String("NextToken"), maxResults);
            return new JsonObject
            {
                ["CommandInvocations"] = new JsonArray(page.Select(i => (JsonNode?)InvocationJson(i, details)).ToArray()),
                ["NextToken"] = next,
            };
        }
    }

    private JsonObject ListCommands(JsonArgs args)
    {
        var maxResults = args.Int("MaxResults") ?? 50;
        if (maxResults is < 1 or > 50) throw JsonArgs.Validation("MaxResults must be within 1..50");
        var commandId = args.String("CommandId");
        var instanceId = args.String("InstanceId");
        var filters = CommandFilters(args);
        lock (_sync)
        {
            var all = Enumerable.Reverse(_commands)
                .Where(c => commandId is null || c.CommandId == commandId)
                .Where(c => instanceId is null || c.Invocations.Any(i => i.InstanceId == instanceId))
                .Where(c => filters.All(f => f(c, c.Status)));
            var (page, next) = Page(all, args.String("NextToken"), maxResults);
            return new JsonObject
            {
                ["Commands"] = new JsonArray(page.Select(c => (JsonNode?)CommandJson(c, (int)c.DeliveryTimeout.TotalSeconds)).ToArray()),
                ["NextToken"] = next,
            };
        }
    }

    private JsonObject CancelCommand(JsonArgs args)
    {
        var commandId = args.RequiredString("CommandId");
        var ids = args.Strings("InstanceIds");
        SsmInvocation[] invocations;
        lock (_sync)
        {
            var command = _byId.GetValueOrDefault(commandId) ?? throw new AwsServiceException(400, "InvalidCommandId", "the command id is not valid");
            invocations = command.Invocations.Where(i => ids.Count == 0 || ids.Contains(i.InstanceId)).ToArray();
        }
        foreach (var invocation in invocations) Runner.Cancel(invocation);
        return [];
    }

    private JsonObject DescribeInstanceInformation(JsonArgs args)
    {
        var maxResults = args.Int("MaxResults") ?? 50;
        if (maxResults is < 5 or > 50) throw JsonArgs.Validation("MaxResults must be within 5..50");
        var conditions = new List<(string Key, HashSet<string> Values)>();
        foreach (var f in args.Array("InstanceInformationFilterList").OfType<JsonObject>())
            conditions.Add((f["key"]?.GetValue<string>() ?? "", StringSet(f["valueSet"])));
        foreach (var f in args.Array("Filters").OfType<JsonObject>())
            conditions.Add((f["Key"]?.GetValue<string>() ?? "", StringSet(f["Values"])));
        var now = _time.GetUtcNow();
        var rows = new List<(SimInstance Instance, string Ping)>();
        lock (_fleet.Sync)
        {
            foreach (var instance in _fleet.Instances)
            {
                if (instance.CurrentState == InstanceState.Terminated) continue;
                var online = instance.IsAgentOnlineUnlocked(now);
                if (online)
                {
                    instance.AgentEverOnline = true;
                    instance.LastPing = now;
                }
                if (!instance.AgentEverOnline) continue;
                rows.Add((instance, online ? "Online" : "ConnectionLost"));
            }
        }
        var matching = rows.Where(r => conditions.All(c => c.Key switch
        {
            "InstanceIds" => c.Values.Contains(r.Instance.InstanceId),
            "PingStatus" => c.Values.Contains(r.Ping),
            "PlatformTypes" => c.Values.Contains("Linux"),
            "ResourceType" => c.Values.Contains("EC2Instance"),
            var key when key.StartsWith("tag:", StringComparison.Ordinal) => r.Instance.Tag(key[4..]) is { } v && c.Values.Contains(v),
            var key => throw new AwsServiceException(400, "InvalidInstanceInformationFilterValue", $"the filter key '{key}' is not supported"),
        }));
        var (page, next) = Page(matching, args.String("NextToken"), maxResults);
        return new JsonObject
        {
            ["InstanceInformationList"] = new JsonArray(page.Select(r => (JsonNode?)new JsonObject
            {
                ["InstanceId"] = r.Instance.InstanceId,
                ["PingStatus"] = r.Ping,
                ["LastPingDateTime"] = Epoch(r.Instance.LastPing ?? now),
                ["AgentVersion"] = "3.3.1142.0",
                ["IsLatestVersion"] = true,
                ["PlatformType"] = "Linux",
                ["PlatformName"] = "Amazon Linux",
                ["PlatformVersion"] = "2023",
                ["ResourceType"] = "EC2Instance",
                ["IPAddress"] = r.Instance.PrivateIpAddress,
                ["ComputerName"] = r.Instance.PrivateDnsName,
            }).ToArray()),
            ["NextToken"] = next,
        };
    }

    private static List<Func<SsmCommand, string, bool>> CommandFilters(JsonArgs args)
    {
        var filters = new List<Func<SsmCommand, string, bool>>();
        foreach (var f in args.Array("Filters").OfType<JsonObject>())
        {
            var key = f["key"]?.GetValue<string>() ?? "";
            var value = f["value"]?.GetValue<string>() ?? "";
            filters.Add(key switch
            {
                "Status" => (_, status) => status == value,
                "DocumentName" => (c, _) => c.DocumentName == value,
                "InvokedAfter" => (c, _) => c.RequestedAt >= ParseTime(value),
                "InvokedBefore" => (c, _) => c.RequestedAt <= ParseTime(value),
                "ExecutionStage" => (_, status) => (value == "Complete") == CommandStatus.IsTerminal(status),
                _ => throw new AwsServiceException(400, "InvalidFilterKey", $"the filter key '{key}' is not valid"),
            });
        }
        return filters;
    }

    private static JsonObject InvocationJson(SsmInvocation i, bool details)
    {
        var json = new JsonObject
        {
            ["CommandId"] = i.Command.CommandId,
            ["InstanceId"] = i.InstanceId,
            ["InstanceName"] = "",
            ["Comment"] = i.Command.Comment,
            ["DocumentName"] = i.Command.DocumentName,
            ["DocumentVersion"] = "$DEFAULT",
            ["RequestedDateTime"] = Epoch(i.Command.RequestedAt),
            ["Status"] = i.Status,
            ["StatusDetails"] = i.StatusDetails,
            ["StandardOutputUrl"] = "",
            ["StandardErrorUrl"] = "",
            ["CommandPlugins"] = new JsonArray(),
        };
        if (details)
        {
            var plugin = new JsonObject
            {
                [nameof(Name)] = "aws:runShellScript",
                ["Status"] = i.Status,
                ["StatusDetails"] = i.StatusDetails,
                ["ResponseCode"] = i.ResponseCode,
                ["Output"] = Truncate(i.Stdout + i.Stderr, MaxListOutput),
                ["StandardOutputUrl"] = "",
                ["StandardErrorUrl"] = "",
            };
            if (i.StartedAt is { } s) plugin["ResponseStartDateTime"] = Epoch(s);
            if (i.EndedAt is { } e) plugin["ResponseFinishDateTime"] = Epoch(e);
            json["CommandPlugins"] = new JsonArray(plugin);
        }
        return json;
    }

    private static JsonObject CommandJson(SsmCommand c, int timeoutSeconds) => new()
    {
        ["CommandId"] = c.CommandId,
        ["DocumentName"] = c.DocumentName,
        ["DocumentVersion"] = "$DEFAULT",
        ["Comment"] = c.Comment,
        ["ExpiresAfter"] = Epoch(c.RequestedAt + c.DeliveryTimeout),
        ["Parameters"] = c.Parameters.DeepClone(),
        ["InstanceIds"] = new JsonArray(c.RequestedInstanceIds.Select(id => (JsonNode?)id).ToArray()),
        ["Targets"] = c.Targets.DeepClone(),
        ["RequestedDateTime"] = Epoch(c.RequestedAt),
        ["Status"] = c.Status,
        ["StatusDetails"] = c.Status,
        ["MaxConcurrency"] = "50",
        ["MaxErrors"] = "0",
        ["TargetCount"] = c.Invocations.Count,
        ["CompletedCount"] = c.Invocations.Count(i => CommandStatus.IsTerminal(i.Status)),
        ["ErrorCount"] = c.Invocations.Count(i => i.Status == CommandStatus.Failed),
        ["DeliveryTimedOutCount"] = c.Invocations.Count(i => i.StatusDetails == "DeliveryTimedOut"),
        ["TimeoutSeconds"] = timeoutSeconds,
    };

    private static (IReadOnlyList<T> Page, string? Next) Page<T>(IEnumerable<T> all, string? token, int maxResults)
    {
        var offset = 0;
        if (!string.IsNullOrEmpty(token) && !int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out offset))
            throw new AwsServiceException(400, "InvalidNextToken", "The specified token is not valid");
        var page = all.Skip(offset).Take(maxResults + 1).ToList();
        if (page.Count <= maxResults) return (page, null);
        page.RemoveAt(maxResults);
        return (page, (offset + maxResults).ToString(CultureInfo.InvariantCulture));
    }

    private static HashSet<string> StringSet(JsonNode? node) =>
        (node as JsonArray ?? []).Select(v => v?.GetValue<string>() ?? "").ToHashSet(StringComparer.Ordinal);

    private static string Truncate(string text, int max) => text.Length <= max ? text : text[..max];

    private static string IsoTime(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ");

    private static string ElapsedTime(TimeSpan elapsed) => FormattableString.Invariant($"PT{elapsed.TotalSeconds:0.###}S");

    private static DateTimeOffset ParseTime(string text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)
            ? time
            : throw new AwsServiceException(400, "InvalidFilterValue", $"'{text}' is not a date");
}
