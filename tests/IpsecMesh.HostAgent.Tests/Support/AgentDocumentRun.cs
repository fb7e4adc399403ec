using IpsecMesh.HostAgent.Document;
using IpsecMesh.HostAgent.Protocol;
using IpsecMesh.Simulator;

namespace IpsecMesh.HostAgent.Tests.Support;

/// <summary>
/// A request as the controller sends it and a host runs it: the agent document of this build with the
/// request's SendCommand parameters filled in, its download step done from the request's own input file
/// (what the controller writes to hosts/inputs/), and the stand-in script that runs it on a real host as
/// the SSM agent would (the file placed where the download step puts it, the script run with sh -c).
/// </summary>
internal static class AgentDocumentRun
{
    public static ShellScriptRun For(AgentRequest request, int executionTimeoutSeconds = 600)
    {
        var payload = request.ToPayload();
        var location = new InputsLocation("ipsec-mesh-test", "us-east-1");
        var parameters = AgentDocument.Parameters(payload, executionTimeoutSeconds).ToDictionary(p => p.Key, p => (IReadOnlyList<string>)p.Value, StringComparer.Ordinal);
        return DocumentRun.Prepare(AgentDocument.Build(AgentScript.Content, location), parameters,
            (bucket, key) => bucket == location.Bucket && payload.Inputs is { } inputs && key == AgentDocument.InputsKey(inputs.Sha256) ? inputs.Content : null);
    }

    /// <summary>The stand-in script, after <c>export NAME=VALUE</c> lines for <paramref name="environment"/>.</summary>
    public static string StandIn(AgentRequest request, IEnumerable<string>? environment = null) =>
        string.Concat((environment ?? []).Select(e => $"export {e}\n")) + For(request).StandInScript();
}
