namespace IpsecMesh.HostAgent.Protocol;

/// <summary>
/// A request or result that breaks the host agent protocol. Messages never carry file contents.
/// <see cref="Code"/> is the failure code the agent reports for it: <c>bad_request</c>, or
/// <c>inputs_failed</c> when the request's input file is missing or has another hash, <c>not_in_batch</c>
/// when a certificate batch holds no entry for the host that runs it.
/// </summary>
public sealed class AgentProtocolException(string message, string code = AgentProtocolException.BadRequest) : Exception(message)
{
    public const string BadRequest = "bad_request";
    public const string InputsFailed = "inputs_failed";
    public const string NotInBatch = "not_in_batch";

    public string Code { get; } = code;
}
