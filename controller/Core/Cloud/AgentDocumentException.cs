namespace IpsecMesh.Core.Cloud;

/// <summary>The agent's SSM document is missing or is not this build's agent: the controller does not start.</summary>
public sealed class AgentDocumentException(string message) : Exception(message);
