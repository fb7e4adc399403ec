namespace IpsecMesh.EndToEnd.Guest;

/// <summary>How a script sent through a spool ended.</summary>
public sealed record SpoolResult(int ExitCode, string Stdout, string Stderr)
{
    public bool Succeeded => ExitCode == 0;
}
