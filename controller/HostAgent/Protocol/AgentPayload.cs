namespace IpsecMesh.HostAgent.Protocol;

/// <summary>
/// A request as it travels to a host: the envelope (protocol, verbs, params and, when the request
/// has files, an <c>inputs</c> line naming the input file by its SHA-256) goes in the SSM command;
/// the input file (one <c>file PATH BASE64</c> line per file) goes through the bucket's
/// <c>hosts/inputs/&lt;sha256&gt;</c>, which the document downloads before the agent runs.
/// </summary>
public sealed record AgentPayload(string Envelope, AgentInputs? Inputs);

/// <summary>An input file: its bytes and their SHA-256 (lower-case hex), which names it.</summary>
public sealed record AgentInputs(byte[] Content, string Sha256);
