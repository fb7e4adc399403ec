using System.Text.Json.Nodes;
using IpsecMesh.Simulator.Wire;

namespace IpsecMesh.Simulator.Events;

/// <summary>EventBridge over JSON 1.1 (X-Amz-Target "AWSEvents.*"): rules on the default bus and their SQS targets.</summary>
internal sealed class EventsService(EventBus bus, string region, string account) : JsonService
{
    public override string Name => "events";

    protected override string TargetPrefix => "AWSEvents";

    protected override string InternalErrorCode => "InternalException";

    protected override Task<JsonObject> InvokeAsync(string operation, JsonArgs args, CancellationToken cancellationToken) =>
        Task.FromResult(operation switch
        {
            "PutRule" => PutRule(args),
            "PutTargets" => PutTargets(args),
            "RemoveTargets" => RemoveTargets(args),
            "DeleteRule" => DeleteRule(args),
            "ListRules" => ListRules(args),
            "DescribeRule" => DescribeRule(args),
            "ListTargetsByRule" => ListTargets(args),
            _ => throw UnknownOperation(operation),
        });

    private string RuleArn(string name) => $"arn:aws:events:{region}:{account}:rule/{name}";

    private JsonObject PutRule(JsonArgs args)
    {
        var name = args.RequiredString("Name");
        var pattern = args.String("EventPattern") ?? throw JsonArgs.Validation("the simulator supports rules with an EventPattern only");
        try
        {
            bus.PutRule(name, pattern, args.String("State"), args.String("Description"));
        }
        catch (Exception e) when (e is ArgumentException or System.Text.Json.JsonException)
        {
            throw new AwsServiceException(400, "InvalidEventPatternException", "Event pattern is not valid. Reason: " + e.Message);
        }
        return new JsonObject { ["RuleArn"] = RuleArn(name) };
    }

    private JsonObject PutTargets(JsonArgs args)
    {
        var rule = args.RequiredString("Rule");
        foreach (var target in args.Array("Targets").OfType<JsonObject>())
        {
            var id = target["Id"]?.GetValue<string>() ?? throw JsonArgs.Validation("a target needs an Id");
            var arn = target["Arn"]?.GetValue<string>() ?? throw JsonArgs.Validation("a target needs an Arn");
            bus.PutTarget(rule, id, arn);
        }
        return new JsonObject { ["FailedEntryCount"] = 0, ["FailedEntries"] = new JsonArray() };
    }

    private JsonObject RemoveTargets(JsonArgs args)
    {
        var rule = args.RequiredString("Rule");
        foreach (var id in args.Strings("Ids")) bus.RemoveTarget(rule, id);
        return new JsonObject { ["FailedEntryCount"] = 0, ["FailedEntries"] = new JsonArray() };
    }

    private JsonObject DeleteRule(JsonArgs args)
    {
        bus.DeleteRule(args.RequiredString("Name"));
        return [];
    }

    private JsonObject ListRules(JsonArgs args)
    {
        var prefix = args.String("NamePrefix") ?? "";
        return new JsonObject
        {
            ["Rules"] = new JsonArray(bus.Rules().Where(r => r.Name.StartsWith(prefix, StringComparison.Ordinal)).Select(r => (JsonNode?)RuleJson(r.Name, r.Pattern, r.State, r.Description)).ToArray()),
        };
    }

    private JsonObject DescribeRule(JsonArgs args)
    {
        var name = args.RequiredString("Name");
        var rule = bus.Rules().FirstOrDefault(r => r.Name == name);
        return rule.Name is null ? throw new AwsServiceException(400, "ResourceNotFoundException", $"Rule {name} does not exist.") : RuleJson(rule.Name, rule.Pattern, rule.State, rule.Description);
    }

    private JsonObject ListTargets(JsonArgs args)
    {
        var name = args.RequiredString("Rule");
        var rule = bus.Rules().FirstOrDefault(r => r.Name == name);
        if (rule.Name is null) throw new AwsServiceException(400, "ResourceNotFoundException", $"Rule {name} does not exist.");
        return new JsonObject
        {
            ["Targets"] = new JsonArray(rule.Targets.Select(t => (JsonNode?)new JsonObject { ["Id"] = t.Key, ["Arn"] = t.Value }).ToArray()),
        };
    }

    private JsonObject RuleJson(string name, string pattern, string state, string description) => new()
    {
        [nameof(Name)] = name,
        ["Arn"] = RuleArn(name),
        ["EventPattern"] = pattern,
        ["State"] = state,
        ["Description"] = description.Length == 0 ? null : description,
        ["EventBusName"] = "default",
    };
}
