namespace IpsecMesh.HostAgent.Policy.Template;

/// <summary>
/// A section of the conn template: <c>config setup</c> (<see cref="IsSetup"/>, <see cref="Name"/> "setup")
/// or <c>conn NAME</c>, with its settings in file order and the line of its header.
/// </summary>
public sealed record TemplateSection(bool IsSetup, string Name, int Line, IReadOnlyList<TemplateSetting> Settings)
{
    public string Title => IsSetup ? "config setup" : $"conn {Name}";

    public TemplateSetting? Find(string keyword) => Settings.FirstOrDefault(s => s.Keyword == keyword);
}
