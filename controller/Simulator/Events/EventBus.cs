using System.Text.Json.Nodes;

namespace IpsecMesh.Simulator.Events;

/// <summary>
/// The default event bus: rules (name, pattern) and their SQS targets, as deploy/ipsec-mesh.yaml and the LocalStack hook
/// create them. <see cref="Fleet"/> publishes every EC2 event here; a matching rule delivers it to each target queue.
/// </summary>
internal sealed class EventBus(Func<string, string?> queueNameOfArn, Action<string, string> deliver)
{
    private readonly Lock _sync = new();
    private readonly Dictionary<string, Rule> _rules = new(StringComparer.Ordinal);

    internal sealed class Rule(string name, string pattern)
    {
        public string Name { get; } = name;
        public string Pattern { get; set; } = pattern;
        public string State { get; set; } = "ENABLED";
        public string Description { get; set; } = "";
        public Dictionary<string, string> Targets { get; } = new(StringComparer.Ordinal);
    }

    public void PutRule(string name, string pattern, string? state = null, string? description = null)
    {
        if (JsonNode.Parse(pattern) is not JsonObject) throw new ArgumentException("an event pattern is a JSON object", nameof(pattern));
        lock (_sync)
        {
            if (!_rules.TryGetValue(name, out var rule)) _rules[name] = rule = new Rule(name, pattern);
            rule.Pattern = pattern;
            if (state is not null) rule.State = state;
            if (description is not null) rule.Description = description;
        }
    }

    public void PutTarget(string rule, string id, string arn)
    {
        lock (_sync) Find(rule).Targets[id] = arn;
    }

    public void RemoveTarget(string rule, string id)
    {
        lock (_sync) Find(rule).Targets.Remove(id);
    }

    public void DeleteRule(string name)
    {
        lock (_sync) _rules.Remove(name);
    }

    /// <summary>Copies of the rules: name, pattern, state, description, targets.</summary>
    public IReadOnlyList<(string Name, string Pattern, string State, string Description, IReadOnlyDictionary<string, string> Targets)> Rules()
    {
        lock (_sync)
            return _rules.Values.OrderBy(r => r.Name, StringComparer.Ordinal)
                .Select(r => (r.Name, r.Pattern, r.State, r.Description, (IReadOnlyDictionary<string, string>)new Dictionary<string, string>(r.Targets, StringComparer.Ordinal)))
                .ToArray();
    }

    public bool Has(string rule)
    {
        lock (_sync) return _rules.ContainsKey(rule);
    }

    /// <summary>Delivers an event to the queues of every enabled rule it matches, after the bus's lock is released.</summary>
    public void Publish(string body)
    {
        var @event = JsonNode.Parse(body) as JsonObject;
        var arns = new HashSet<string>(StringComparer.Ordinal);
        lock (_sync)
            foreach (var rule in _rules.Values.Where(r => r.State == "ENABLED"))
                if (JsonNode.Parse(rule.Pattern) is JsonObject pattern && EventPattern.Matches(pattern, @event))
                    arns.UnionWith(rule.Targets.Values);
        foreach (var arn in arns)
            if (queueNameOfArn(arn) is { } queue) deliver(queue, body);
    }

    private Rule Find(string name) =>
        _rules.GetValueOrDefault(name) ?? throw new AwsServiceException(400, "ResourceNotFoundException", $"Rule {name} does not exist.");
}
