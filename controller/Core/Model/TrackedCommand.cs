namespace IpsecMesh.Core.Model;

/// <summary>A command the controller sent and has not finished acting on; <paramref name="ConfigHash"/> is the config it carried (install, apply-config).</summary>
public sealed record TrackedCommand(string CommandId, IReadOnlyList<string> Verbs, DateTimeOffset SentAt, string? ConfigHash = null);
