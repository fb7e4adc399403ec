using System.Text;

namespace IpsecMesh.Simulator.Wire;

/// <summary>An HTTP request as the simulator sees it, whichever transport carried it.</summary>
internal sealed class SimRequest
{
    public required string Method { get; init; }
    public required string Host { get; init; }
    /// <summary>Host and port as the client addressed the simulator ("127.0.0.1:4566"): the base of the URLs it hands out.</summary>
    public string Authority { get; init; } = "";
    /// <summary>This call's request id, sent back in the protocol's header (and body, where the protocol has one).</summary>
    public string RequestId { get; } = Guid.NewGuid().ToString();
    /// <summary>The path, still percent-encoded.</summary>
    public required string RawPath { get; init; }
    /// <summary>The query string without '?', still percent-encoded.</summary>
    public required string RawQuery { get; init; }
    public required IReadOnlyDictionary<string, string> Headers { get; init; }
    public required byte[] Body { get; init; }

    private IReadOnlyDictionary<string, string>? _query;

    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;

    public string BodyText => Encoding.UTF8.GetString(Body);

    public IReadOnlyDictionary<string, string> Query => _query ??= FormDecoder.Decode(RawQuery);
}
