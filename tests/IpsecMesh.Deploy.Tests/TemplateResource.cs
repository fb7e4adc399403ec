using IpsecMesh.Deploy.Tests.Yaml;

namespace IpsecMesh.Deploy.Tests;

/// <summary>One resource of a template: its logical id, type and properties.</summary>
public sealed record TemplateResource(string LogicalId, IReadOnlyDictionary<string, object?> Definition)
{
    public string Type => Node.Text(Definition["Type"]) ?? string.Empty;

    public IReadOnlyDictionary<string, object?> Properties =>
        Definition.TryGetValue("Properties", out var properties) ? Node.Map(properties) : new Dictionary<string, object?>();

    public object? Property(string name) => Properties.TryGetValue(name, out var value) ? value : null;
}
