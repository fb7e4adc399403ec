namespace IpsecMesh.Core.Sources;

public enum InstanceEventKind
{
    StateChange,
    TagChange,
}

/// <summary>A hint that one instance may need reconciling; the reconcile re-reads EC2 unless the event only echoes what it knows.</summary>
/// <param name="ChangedTags">
/// For a tag change: each key in <c>detail.changed-tag-keys</c> with its value after the change from <c>detail.tags</c> (null: the
/// key was removed); null when the event carries no tags.
/// </param>
public sealed record InstanceEvent(string InstanceId, InstanceEventKind Kind, string? State, bool ChangedOurTag,
    IReadOnlyDictionary<string, string?>? ChangedTags = null);
