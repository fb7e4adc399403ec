using System.Text;

namespace IpsecMesh.Simulator.Wire;

/// <summary>An HTTP response the simulator sends back.</summary>
internal sealed class SimResponse
{
    public int Status { get; init; } = 200;
    public string? ContentType { get; init; }
    public Dictionary<string, string> Headers { get; } = new(StringComparer.OrdinalIgnoreCase);
    public byte[] Body { get; init; } = [];
    /// <summary>HEAD answers carry the length of the body they do not send.</summary>
    public long? ContentLengthOverride { get; init; }

    public static SimResponse Text(int status, string contentType, string body) =>
        new() { Status = status, ContentType = contentType, Body = Encoding.UTF8.GetBytes(body) };
}
