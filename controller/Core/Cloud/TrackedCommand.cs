namespace IpsecMesh.Core.Cloud;

/// <summary>A command the controller sent and has not finished acting on.</summary>
public sealed record TrackedCommand(string CommandId, IReadOnlyList<string> Verbs, DateTimeOffset SentAt);
