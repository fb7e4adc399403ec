using IpsecMesh.HostAgent.Protocol;

namespace IpsecMesh.HostAgent.Tests.Support;

/// <summary>The simulator's <see cref="Simulator.AgentDocumentRun"/>, and its stand-in script after environment exports.</summary>
internal static class AgentDocumentRun
{
    public static Simulator.ShellScriptRun For(AgentRequest request, int executionTimeoutSeconds = 600) =>
        Simulator.AgentDocumentRun.For(request, executionTimeoutSeconds);

    /// <summary>The stand-in script, after <c>export NAME=VALUE</c> lines for <paramref name="environment"/>.</summary>
    public static string StandIn(AgentRequest request, IEnumerable<string>? environment = null) =>
        string.Concat((environment ?? []).Select(e => $"export {e}\n")) + For(request).StandInScript();
}
