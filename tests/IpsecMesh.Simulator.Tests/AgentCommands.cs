using Amazon.SimpleSystemsManagement.Model;
using IpsecMesh.HostAgent.Document;
using IpsecMesh.HostAgent.Protocol;

namespace IpsecMesh.Simulator.Tests;

/// <summary>Agent requests sent as the controller sends them: the input file to the bucket's hosts/inputs/, the envelope as the document's parameter.</summary>
internal static class AgentCommands
{
    public static SendCommandRequest Command(SimulatedAws aws, AgentRequest request, params string[] instanceIds)
    {
        var payload = request.ToPayload();
        if (payload.Inputs is { } inputs) aws.WriteObject(AgentDocument.InputsKey(inputs.Sha256), inputs.Content);
        return new SendCommandRequest
        {
            DocumentName = aws.AgentDocumentName,
            InstanceIds = [.. instanceIds],
            Comment = AgentCommand.Comment(request),
            Parameters = AgentDocument.Parameters(payload, 600),
        };
    }

    public static GetCommandInvocationRequest AgentStep(string commandId, string instanceId) =>
        new() { CommandId = commandId, InstanceId = instanceId, PluginName = AgentDocument.AgentStep };
}
