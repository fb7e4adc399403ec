namespace IpsecMesh.HostAgent.Protocol;

/// <summary>What the comment of one of our SSM commands says: its verbs, and the config hash it carried (null when none).</summary>
public sealed record CommandComment(IReadOnlyList<string> Verbs, string? ConfigHash);
