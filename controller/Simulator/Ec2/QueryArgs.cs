namespace IpsecMesh.Simulator.Ec2;

/// <summary>Reads the EC2 query protocol's flattened lists ("InstanceId.1", "Filter.2.Value.3", …).</summary>
internal sealed class QueryArgs(IReadOnlyDictionary<string, string> form)
{
    public string? this[string name] => form.GetValueOrDefault(name);

    public IReadOnlyList<string> List(string prefix)
    {
        var values = new List<string>();
        for (var i = 1; form.TryGetValue($"{prefix}.{i}", out var value); i++) values.Add(value);
        return values;
    }

    /// <summary>"Filter.N.Name" with its "Filter.N.Value.M" values.</summary>
    public IReadOnlyList<(string Name, IReadOnlyList<string> Values)> Filters()
    {
        var filters = new List<(string, IReadOnlyList<string>)>();
        for (var i = 1; form.TryGetValue($"Filter.{i}.Name", out var name); i++) filters.Add((name, List($"Filter.{i}.Value")));
        return filters;
    }

    /// <summary>"Tag.N.Key" with its optional "Tag.N.Value".</summary>
    public IReadOnlyList<KeyValuePair<string, string?>> Tags()
    {
        var tags = new List<KeyValuePair<string, string?>>();
        for (var i = 1; form.TryGetValue($"Tag.{i}.Key", out var key); i++) tags.Add(new(key, form.GetValueOrDefault($"Tag.{i}.Value")));
        return tags;
    }

    public int? Int(string name)
    {
        if (!form.TryGetValue(name, out var text)) return null;
        return int.TryParse(text, out var value) ? value : throw Ec2Errors.InvalidParameterValue($"Value ({text}) for parameter {name} is invalid. Expected an integer.");
    }
}
