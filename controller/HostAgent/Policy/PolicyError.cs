namespace IpsecMesh.HostAgent.Policy;

/// <summary>One problem in a mesh policy, located by file and line (line 0: the file as a whole).</summary>
public sealed record PolicyError(string File, int Line, string Message)
{
    public override string ToString() => Line > 0 ? $"{File}:{Line}: {Message}" : $"{File}: {Message}";
}
