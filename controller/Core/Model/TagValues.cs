namespace IpsecMesh.Core.Model;

/// <summary>The values of the main tag (DESIGN.md tag contract).</summary>
public static class TagValues
{
    public const string Todo = "todo";
    public const string Enabled = "enabled";
    public const string Failed = "failed";
    public const string Off = "off";
    public const string Disabled = "disabled";

    public static Phase Parse(string? value) => value switch
    {
        null => Phase.Absent,
        Todo => Phase.Todo,
        Enabled => Phase.Enabled,
        Failed => Phase.Failed,
        Off => Phase.Off,
        Disabled => Phase.Disabled,
        _ => Phase.Unknown,
    };
}
