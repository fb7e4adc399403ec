namespace IpsecMesh.Simulator;

/// <summary>An error a simulated service answers with: the AWS error code and the HTTP status AWS uses for it.</summary>
/// <remarks>Also what <see cref="SimulatedKms"/> throws to direct callers.</remarks>
public sealed class AwsServiceException(int status, string code, string message) : Exception(message)
{
    public int Status { get; } = status;
    public string Code { get; } = code;
}
