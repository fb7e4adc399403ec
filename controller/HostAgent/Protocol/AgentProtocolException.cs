namespace IpsecMesh.HostAgent.Protocol;

/// <summary>A request or result that breaks the host agent protocol. Messages never carry file contents.</summary>
public sealed class AgentProtocolException(string message) : Exception(message);
