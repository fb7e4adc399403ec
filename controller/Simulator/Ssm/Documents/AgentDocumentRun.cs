using IpsecMesh.HostAgent;
using IpsecMesh.HostAgent.Document;
using IpsecMesh.HostAgent.Protocol;

namespace IpsecMesh.Simulator;

/// <summary>
/// A request as the controller sends it and a host runs it, outside the simulator: this build's agent document
/// with the request's SendCommand parameters filled in and its download step done from the request's own input
/// file (what the controller writes to <c>hosts/inputs/</c>). Run <see cref="ShellScriptRun.StandInScript"/> as
/// root on the host, as the SSM agent would.
/// </summary>
public static class AgentDocumentRun
{
    private static readonly InputsLocation Location = new("ipsec-mesh-test", "us-east-1");

    /// <param name="executionTimeoutSeconds">The document's executionTimeout parameter, seconds.</param>
    /// <param name="instanceId">The instance the SSM agent would run it on (its <c>AWS_SSM_INSTANCE_ID</c>); null: none set.</param>
    public static ShellScriptRun For(AgentRequest request, int executionTimeoutSeconds = 600, string? instanceId = null)
    {
        var payload = request.ToPayload();
        var parameters = AgentDocument.Parameters(payload, executionTimeoutSeconds).ToDictionary(p => p.Key, p => (IReadOnlyList<string>)p.Value, StringComparer.Ordinal);
        var run = DocumentRun.Prepare(AgentDocument.Build(AgentScript.Content, Location), parameters,
            (bucket, key) => bucket == Location.Bucket && payload.Inputs is { } inputs && key == AgentDocument.InputsKey(inputs.Sha256) ? inputs.Content : null);
        return instanceId is null ? run : run with { Environment = ShellScriptRun.AgentEnvironment(instanceId, Location.Region) };
    }
}
