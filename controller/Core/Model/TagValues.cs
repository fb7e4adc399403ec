namespace IpsecMesh.Core.Model;

/// <summary>The values of the main tag (DESIGN.md tag contract).</summary>
public static class TagValues
{
    public const string Todo = "todo";
    public const string Enabled = "enabled";
    public const string Failed = "failed";
    public const string Off = "off";
    public const string Disabled = "disabled";

    public static Intent Parse(string? value) => value switch
    {
        null => Intent.Absent,
        Todo => Intent.Todo,
        Enabled => Intent.Enabled,
        Failed => Intent.Failed,
        Off => Intent.Off,
        Disabled => Intent.Disabled,
        _ => Intent.Unknown,
    };
}
