namespace IpsecMesh.Core.Options;

/// <summary>Every invalid setting at once, each naming the setting (e.g. <c>IpsecMesh:VpcId: …</c>).</summary>
public sealed class SettingsException(IReadOnlyList<string> errors)
    : Exception("invalid settings:\n  " + string.Join("\n  ", errors))
{
    public IReadOnlyList<string> Errors { get; } = errors;
}
