namespace IpsecMesh.Pki.Tests.Support;

public sealed record ToolResult(int ExitCode, string Output, string Error)
{
    public string All => Output + Error;
}
