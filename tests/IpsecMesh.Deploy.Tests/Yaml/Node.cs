namespace IpsecMesh.Deploy.Tests.Yaml;

/// <summary>Navigation helpers over the plain values <see cref="CloudFormationYaml"/> produces.</summary>
public static class Node
{
    public static IReadOnlyDictionary<string, object?> Map(object? value) =>
        value as IReadOnlyDictionary<string, object?> ?? throw new InvalidDataException("expected a mapping, found " + Describe(value));

    public static IReadOnlyDictionary<string, object?> Map(object? value, string key) => Map(Map(value)[key]);

    public static IReadOnlyList<object?> List(object? value) =>
        value as IReadOnlyList<object?> ?? throw new InvalidDataException("expected a list, found " + Describe(value));

    /// <summary>A value that may be one item or a list of items, as IAM allows for Action and Resource.</summary>
    public static IReadOnlyList<object?> OneOrMany(object? value) => value is IReadOnlyList<object?> list ? list : [value];

    public static string? Text(object? value) => value as string;

    public static object? Get(object? value, string key) =>
        value is IReadOnlyDictionary<string, object?> map && map.TryGetValue(key, out var found) ? found : null;

    /// <summary>A readable rendering of a value: strings as they are, intrinsics in short form.</summary>
    public static string Render(object? value) => value switch
    {
        null => "null",
        string text => text,
        IReadOnlyDictionary<string, object?> map when map.Count == 1 && map.ContainsKey("Ref") => "!Ref " + Render(map["Ref"]),
        IReadOnlyDictionary<string, object?> map when map.Count == 1 && map.ContainsKey("Fn::GetAtt") =>
            "!GetAtt " + string.Join('.', List(map["Fn::GetAtt"]).Select(Render)),
        IReadOnlyDictionary<string, object?> map when map.Count == 1 && map.ContainsKey("Fn::Sub") && map["Fn::Sub"] is string template => template,
        IReadOnlyDictionary<string, object?> map => "{" + string.Join(", ", map.Select(pair => pair.Key + ": " + Render(pair.Value))) + "}",
        IReadOnlyList<object?> list => "[" + string.Join(", ", list.Select(Render)) + "]",
        _ => value.ToString() ?? string.Empty,
    };

    private static string Describe(object? value) => value?.GetType().Name ?? "null";
}
