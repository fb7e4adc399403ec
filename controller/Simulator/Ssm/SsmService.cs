using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using IpsecMesh.HostAgent.Document;
using IpsecMesh.Simulator.Faults;
using IpsecMesh.Simulator.Wire;

namespace IpsecMesh.Simulator.Ssm;

/// <summary>
/// SSM documents and Run Command over JSON 1.1 (X-Amz-Target "AmazonSSM.*"), with AWS's limits
/// and output truncation: SendCommand runs a registered document (its parameters checked against
/// their patterns, the rendered document within 64 KB), only on instances whose agent registered.
/// </summary>
internal sealed class SsmService : JsonService
{
    private const int MaxInstanceIds = 50;
    private const int MaxComment = 100;
    private const int MaxStdout = 24_000;
    private const int MaxStderr = 8_000;
    private const int MaxListOutput = 2_500;
    private readonly Fleet _fleet;
    private readonly SeededRandom _random;
    private readonly TimeProvider _time;
    private readonly Lock _sync = new();
    private readonly List<SsmCommand> _commands = [];
    private readonly Dictionary<string, SsmCommand> _byId = new(StringComparer.Ordinal);

    public SsmService(Fleet fleet, SimulatedKms kms, TimeProvider time, SeededRandom random, TimeSpan deliveryLatency, string region, string accountId,
        Func<string, string, byte[]?> readObject)
    {
        _fleet = fleet;
        _random = random;
        _time = time;
        _region = region;
        _accountId = accountId;
        Documents = new SsmDocumentStore(time, region, accountId);
        Runner = new CommandRunner(fleet, kms, time, deliveryLatency, _sync, readObject);
    }

    private readonly string _region;
    private readonly string _accountId;

    public CommandRunner Runner { get; }

    public SsmDocumentStore Documents { get; }

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
            "CreateDocument" => CreateDocument(args),
            "DescribeDocument" => DescribeDocument(args),
            "GetDocument" => GetDocument(args),
            "DeleteDocument" => DeleteDocument(args),
            "SendCommand" => SendCommand(args),
            "GetCommandInvocation" => GetCommandInvocation(args),
            "ListCommandInvocations" => ListCommandInvocations(args),
            "ListCommands" => ListCommands(args),
            "CancelCommand" => CancelCommand(args),
            "DescribeInstanceInformation" => DescribeInstanceInformation(args),
            _ => throw UnknownOperation(operation),
        });

    private JsonObject CreateDocument(JsonArgs args)
    {
        var name = args.RequiredString("Name");
        var type = args.String("DocumentType") ?? "Command";
        var version = Documents.Create(name, args.RequiredString("Content"), type, args.String("DocumentFormat") ?? "JSON", args.String("TargetType"));
        return new JsonObject { ["DocumentDescription"] = Description(Documents.Get(name), version) };
    }

    private JsonObject DescribeDocument(JsonArgs args)
    {
        var document = Documents.Get(args.RequiredString("Name"));
        return new JsonObject { ["Document"] = Description(document, SsmDocumentStore.Version(document, args.String("DocumentVersion"))) };
    }

    private JsonObject GetDocument(JsonArgs args)
    {
        var document = Documents.Get(args.RequiredString("Name"));
        var version = SsmDocumentStore.Version(document, args.String("DocumentVersion"));
        if (args.String("DocumentFormat") is { } format && format != version.DocumentFormat)
            throw new AwsServiceException(400, "ValidationException", "the simulator returns a document in the format it was created in");
        return new JsonObject
        {
            [nameof(Name)] = document.Name,
            ["CreatedDate"] = Epoch(version.CreatedAt),
            ["DocumentVersion"] = version.Number.ToString(CultureInfo.InvariantCulture),
            ["Status"] = "Active",
            ["Content"] = version.Content,
            ["DocumentType"] = document.DocumentType,
            ["DocumentFormat"] = version.DocumentFormat,
        };
    }

    private JsonObject DeleteDocument(JsonArgs args)
    {
        Documents.Delete(args.RequiredString("Name"));
        return [];
    }

    private JsonObject Description(SsmDocument document, SsmDocumentVersion version) => new()
    {
        [nameof(Name)] = document.Name,
        ["Sha1"] = "",
        ["Hash"] = version.Hash,
        ["HashType"] = "Sha256",
        ["Owner"] = _accountId,
        ["CreatedDate"] = Epoch(version.CreatedAt),
        ["Status"] = "Active",
        ["DocumentVersion"] = version.Number.ToString(CultureInfo.InvariantCulture),
        ["Description"] = DocumentParameters.Text(version.Parsed["description"]) ?? "",
        ["Parameters"] = new JsonArray([.. (version.Parsed["parameters"] as JsonObject ?? []).Select(p => (JsonNode?)new JsonObject
        {
            [nameof(Name)] = p.Key,
            ["Type"] = DocumentParameters.Text(p.Value?["type"]) ?? "String",
            ["Description"] = DocumentParameters.Text(p.Value?["description"]) ?? "",
            ["DefaultValue"] = DocumentParameters.Text(p.Value?["default"]),
        })]),
        ["PlatformTypes"] = new JsonArray("Linux", "MacOS"),
        ["DocumentType"] = document.DocumentType,
        ["SchemaVersion"] = DocumentParameters.Text(version.Parsed["schemaVersion"]) ?? "",
        ["LatestVersion"] = document.Versions[^1].Number.ToString(CultureInfo.InvariantCulture),
        ["DefaultVersion"] = document.DefaultVersion.ToString(CultureInfo.InvariantCulture),
        ["DocumentFormat"] = version.DocumentFormat,
        ["TargetType"] = document.TargetType,
    };

    private JsonObject SendCommand(JsonArgs args)
    {
        var document = Documents.Get(args.RequiredString("DocumentName"));
        var version = SsmDocumentStore.Version(document, args.String("DocumentVersion"));
        var ids = args.Strings("InstanceIds");
        var targets = args.Array("Targets");
        if (ids.Count > MaxInstanceIds)
            throw JsonArgs.Validation($"1 validation error detected: Value at 'instanceIds' failed to satisfy constraint: Member must have length less than or equal to {MaxInstanceIds}");
        if ((ids.Count == 0) == (targets.Count == 0))
            throw new AwsServiceException(400, "InvalidParameters", "Specify either InstanceIds or Targets, not both and not neither");
        if (targets.Count > 5) throw JsonArgs.Validation("Targets takes at most 5 entries");
        var comment = args.String("Comment");
        if (comment?.Length > MaxComment) throw JsonArgs.Validation($"Comment must be at most {MaxComment} characters");
        var timeoutSeconds = args.Int("TimeoutSeconds") ?? 3600;
        if (timeoutSeconds is < 30 or > 2_592_000) throw JsonArgs.Validation("TimeoutSeconds must be within 30..2592000");
        var rate = RateControl.Parse(args.String("MaxConcurrency"), args.String("MaxErrors"));
        var given = (args.Body["Parameters"] as JsonObject ?? [])
            .ToDictionary(p => p.Key, p => (IReadOnlyList<string>)[.. (p.Value as JsonArray ?? []).Select(v => v?.GetValue<string>() ?? "")], StringComparer.Ordinal);
        var rendered = DocumentRendering.Render(version.Parsed, DocumentParameters.Resolve(version.Parsed, given));
        // SSM's 64 KB holds for the document with the parameters supplied at run time.
        if (Encoding.UTF8.GetByteCount(AgentDocument.ToJson(rendered)) > SsmDocumentStore.MaxContentBytes)
            throw new AwsServiceException(400, "MaxDocumentSizeExceeded", "The size limit of a document is 64 KB.");
        var steps = DocumentStep.Of(rendered);
        var instanceIds = ids.Count > 0 ? ValidInstances(ids) : ResolveTargets(targets);
        var now = _time.GetUtcNow();
        var command = new SsmCommand
        {
            CommandId = _random.Guid().ToString(),
            DocumentName = document.Name,
            DocumentVersion = version.Number.ToString(CultureInfo.InvariantCulture),
            Comment = comment,
            Steps = steps,
            Parameters = new JsonObject(given.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)new JsonArray([.. p.Value.Select(v => (JsonNode?)v)])))),
            Targets = (JsonArray)targets.DeepClone(),
            RequestedInstanceIds = ids,
            RequestedAt = now,
            DeliveryTimeout = TimeSpan.FromSeconds(timeoutSeconds),
            ExecutionTimeout = TimeSpan.FromSeconds(ExecutionTimeoutSeconds(steps)),
            RateControl = rate,
        };
        foreach (var id in instanceIds) command.Invocations.Add(new SsmInvocation(command, id));
        lock (_sync)
        {
            _commands.Add(command);
            _byId[command.CommandId] = command;
        }
        Runner.Submit(command);
        lock (_sync) return new JsonObject { ["Command"] = CommandJson(command, timeoutSeconds) };
    }

    /// <summary>The aws:runShellScript step's timeoutSeconds, as the SSM agent reads it: 5 to 172800, else 3600.</summary>
    private static int ExecutionTimeoutSeconds(IReadOnlyList<DocumentStep> steps)
    {
        var text = steps.LastOrDefault(s => s.Action == "aws:runShellScript") is { } run ? DocumentParameters.Text(run.Inputs["timeoutSeconds"]) : null;
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds is >= 5 and <= 172_800 ? seconds : 3600;
    }

    /// <summary>Every id must be an instance whose SSM agent registered and that is not terminated, or the whole call fails.</summary>
    private string[] ValidInstances(IReadOnlyList<string> ids)
    {
        var now = _time.GetUtcNow();
        string[] invalid;
        lock (_fleet.Sync)
            invalid = ids.Where(id => _fleet.TryGet(id) is not { } i || !i.HasRegisteredAgentUnlocked(now)).Distinct(StringComparer.Ordinal).ToArray();
        if (invalid.Length > 0)
            throw new AwsServiceException(400, "InvalidInstanceId", $"Instances [[{string.Join(", ", invalid)}]] not in a valid state for account {_accountId}");
        return ids.Distinct(StringComparer.Ordinal).ToArray();
    }

    private string[] ResolveTargets(JsonArray targets)
    {
        var now = _time.GetUtcNow();
        IEnumerable<SimInstance> matching;
        lock (_fleet.Sync) matching = _fleet.Instances.Where(i => i.HasRegisteredAgentUnlocked(now)).ToArray();
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

    /// <summary>
    /// One invocation's result for one step: a document of several steps needs PluginName (the step's
    /// name), as on AWS; stdout is truncated to 24,000 characters, stderr to 8,000.
    /// </summary>
    private JsonObject GetCommandInvocation(JsonArgs args)
    {
        var commandId = args.RequiredString("CommandId");
        var instanceId = args.RequiredString("InstanceId");
        var pluginName = args.String("PluginName");
        lock (_sync)
        {
            var invocation = _byId.GetValueOrDefault(commandId)?.Invocations.FirstOrDefault(i => i.InstanceId == instanceId)
                ?? throw new AwsServiceException(400, "InvocationDoesNotExist", "An error occurred (InvocationDoesNotExist)");
            if (pluginName is null && invocation.Plugins.Count > 1)
                throw new AwsServiceException(400, "InvalidPluginName", "The document has more than one step: name the step in PluginName.");
            var plugin = pluginName is null ? invocation.Plugins[0] : invocation.Plugin(pluginName)
                ?? throw new AwsServiceException(400, "InvalidPluginName", "The plugin name is not valid.");
            var step = invocation.Command.Steps[invocation.Plugins.ToList().IndexOf(plugin)];
            var end = plugin.EndedAt ?? _time.GetUtcNow();
            return new JsonObject
            {
                ["CommandId"] = commandId,
                ["InstanceId"] = instanceId,
                ["Comment"] = invocation.Command.Comment,
                ["DocumentName"] = invocation.Command.DocumentName,
                ["DocumentVersion"] = invocation.Command.DocumentVersion,
                ["PluginName"] = plugin.Name,
                ["ResponseCode"] = plugin.ResponseCode,
                ["ExecutionStartDateTime"] = plugin.StartedAt is { } s ? IsoTime(s) : "",
                ["ExecutionElapsedTime"] = plugin.StartedAt is { } started ? ElapsedTime(end - started) : "",
                ["ExecutionEndDateTime"] = plugin.EndedAt is { } e ? IsoTime(e) : "",
                // An invocation still in progress reports its own status for a step that has not ended yet.
                ["Status"] = CommandStatus.IsTerminal(plugin.Status) ? plugin.Status : invocation.Status,
                ["StatusDetails"] = CommandStatus.IsTerminal(plugin.Status) ? plugin.StatusDetails : invocation.StatusDetails,
                ["StandardOutputContent"] = Truncate(plugin.Stdout, MaxStdout),
                ["StandardOutputUrl"] = "",
                ["StandardErrorContent"] = Truncate(plugin.Stderr, MaxStderr),
                ["StandardErrorUrl"] = "",
                ["CloudWatchOutputConfig"] = new JsonObject { ["CloudWatchLogGroupName"] = "", ["CloudWatchOutputEnabled"] = false },
                ["PluginAction"] = step.Action,
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
            ["DocumentVersion"] = i.Command.DocumentVersion,
            ["RequestedDateTime"] = Epoch(i.Command.RequestedAt),
            ["Status"] = i.Status,
            ["StatusDetails"] = i.StatusDetails,
            ["StandardOutputUrl"] = "",
            ["StandardErrorUrl"] = "",
            ["CommandPlugins"] = new JsonArray(),
        };
        if (details)
        {
            var plugins = new JsonArray();
            foreach (var p in i.Plugins)
            {
                var plugin = new JsonObject
                {
                    [nameof(Name)] = p.Name,
                    ["Status"] = p.Status,
                    ["StatusDetails"] = p.StatusDetails,
                    ["ResponseCode"] = p.ResponseCode,
                    ["Output"] = Truncate(p.Stdout + p.Stderr, MaxListOutput),
                    ["StandardOutputUrl"] = "",
                    ["StandardErrorUrl"] = "",
                };
                if (p.StartedAt is { } s) plugin["ResponseStartDateTime"] = Epoch(s);
                if (p.EndedAt is { } e) plugin["ResponseFinishDateTime"] = Epoch(e);
                plugins.Add(plugin);
            }
            json["CommandPlugins"] = plugins;
        }
        return json;
    }

    private static JsonObject CommandJson(SsmCommand c, int timeoutSeconds) => new()
    {
        ["CommandId"] = c.CommandId,
        ["DocumentName"] = c.DocumentName,
        ["DocumentVersion"] = c.DocumentVersion,
        ["Comment"] = c.Comment,
        ["ExpiresAfter"] = Epoch(c.RequestedAt + c.DeliveryTimeout),
        ["Parameters"] = c.Parameters.DeepClone(),
        ["InstanceIds"] = new JsonArray(c.RequestedInstanceIds.Select(id => (JsonNode?)id).ToArray()),
        ["Targets"] = c.Targets.DeepClone(),
        ["RequestedDateTime"] = Epoch(c.RequestedAt),
        ["Status"] = c.Status,
        ["StatusDetails"] = c.Status,
        ["MaxConcurrency"] = c.RateControl.MaxConcurrency,
        ["MaxErrors"] = c.RateControl.MaxErrors,
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
