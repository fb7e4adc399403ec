namespace IpsecMesh.Core.Model;

/// <summary>What the <c>IPSec</c> tag asks for (or reports).</summary>
public enum Phase
{
    /// <summary>No tag: not ours.</summary>
    Absent,
    Todo,
    Enabled,
    Failed,
    Off,
    Disabled,
    /// <summary>A value the contract does not know; reported on the status tag, never acted on.</summary>
    Unknown,
}
