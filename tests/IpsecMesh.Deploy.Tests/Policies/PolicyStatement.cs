namespace IpsecMesh.Deploy.Tests.Policies;

/// <summary>One IAM statement of a template, with its actions and resources rendered as text.</summary>
public sealed record PolicyStatement(
    string Source,
    string Sid,
    PolicyKind Kind,
    string Effect,
    IReadOnlyList<string> Actions,
    IReadOnlyList<string> Resources,
    object? Principal,
    IReadOnlyDictionary<string, object?> Condition)
{
    public bool Allows => Effect == "Allow";

    public bool OnAnyResource => Resources.Contains("*");

    public bool HasAction(string action) => Actions.Contains(action, StringComparer.OrdinalIgnoreCase);

    public bool HasConditionKey(string key) =>
        Condition.Values
            .OfType<IReadOnlyDictionary<string, object?>>()
            .Any(keys => keys.Keys.Any(name => name.Equals(key, StringComparison.OrdinalIgnoreCase)));

    public bool HasConditionKeyStartingWith(string prefix) =>
        Condition.Values
            .OfType<IReadOnlyDictionary<string, object?>>()
            .Any(keys => keys.Keys.Any(name => name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)));

    /// <summary>The condition keys and values under one operator, e.g. <c>StringEquals</c>; empty when the statement has none.</summary>
    public IReadOnlyDictionary<string, object?> Operator(string name) =>
        Condition.TryGetValue(name, out var block) && block is IReadOnlyDictionary<string, object?> keys ? keys : new Dictionary<string, object?>();

    public override string ToString() =>
        $"{Source}/{Sid} ({Kind}): {Effect} [{string.Join(", ", Actions)}] on [{string.Join(", ", Resources)}]";
}
