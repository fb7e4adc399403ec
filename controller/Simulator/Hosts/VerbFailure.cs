namespace IpsecMesh.Simulator.Hosts;

/// <summary>A failure a test asked a virtual host to report for a verb, a number of times.</summary>
internal sealed class VerbFailure(string code, string message, int times)
{
    public string Code { get; } = code;
    public string Message { get; } = message;
    public int Remaining { get; set; } = times;
}
