namespace IpsecMesh.HostAgent.Policy.Template;

/// <summary>One <c>keyword=value</c> line of a template section; <paramref name="Value"/> is unquoted, without its comment.</summary>
public sealed record TemplateSetting(string Keyword, string Value, int Line);
