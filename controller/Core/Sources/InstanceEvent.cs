namespace IpsecMesh.Core.Sources;

public enum InstanceEventKind
{
    StateChange,
    TagChange,
}

/// <summary>A hint that one instance may need reconciling; the reconcile re-reads EC2 regardless.</summary>
public sealed record InstanceEvent(string InstanceId, InstanceEventKind Kind, string? State, bool ChangedOurTag);
