using IpsecMesh.Deploy.Tests.Yaml;

namespace IpsecMesh.Deploy.Tests;

/// <summary>A parsed CloudFormation template.</summary>
public sealed class Template
{
    private Template(string path, IReadOnlyDictionary<string, object?> root)
    {
        Path = path;
        Root = root;
    }

    public string Path { get; }

    public IReadOnlyDictionary<string, object?> Root { get; }

    public IReadOnlyDictionary<string, object?> Parameters =>
        Root.TryGetValue("Parameters", out var parameters) ? Node.Map(parameters) : new Dictionary<string, object?>();

    public IReadOnlyDictionary<string, object?> Resources => Node.Map(Root, "Resources");

    public static Template Load(string path) => new(path, CloudFormationYaml.Load(path));

    public IEnumerable<TemplateResource> ResourcesOfType(string type) =>
        Resources
            .Select(pair => new TemplateResource(pair.Key, Node.Map(pair.Value)))
            .Where(resource => resource.Type == type);

    public TemplateResource Resource(string logicalId) => new(logicalId, Node.Map(Resources[logicalId]));
}
