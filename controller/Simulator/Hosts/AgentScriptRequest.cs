using System.Text;
using System.Text.RegularExpressions;
using IpsecMesh.HostAgent.Document;
using IpsecMesh.HostAgent.Protocol;

namespace IpsecMesh.Simulator.Hosts;

/// <summary>
/// How the agent finds its request in the document's script: the last line calls main with the
/// request parameter, base64 in single quotes; an <c>inputs</c> line names the file the download
/// step put in <see cref="AgentDocument.InputsDirectory"/>.
/// </summary>
internal static partial class AgentScriptRequest
{
    public static AgentRequest Read(ShellScriptRun run)
    {
        var last = run.RunCommand.Count == 0 ? "" : run.RunCommand[^1];
        var call = MainCall().Match(last);
        if (!call.Success) throw new AgentProtocolException("the script passes no request to the agent");
        string envelope;
        try
        {
            envelope = Encoding.ASCII.GetString(Convert.FromBase64String(call.Groups[1].Value));
        }
        catch (FormatException)
        {
            throw new AgentProtocolException("the request argument is not base64");
        }
        return AgentRequest.Parse(envelope, sha256 => run.Files.GetValueOrDefault(AgentDocument.InputsDirectory + "/" + sha256));
    }

    /// <summary>The agent's exit code of a failure code (docs/host-agent.md).</summary>
    public static int ExitCode(string? code) => code switch
    {
        "bad_request" => 2,
        "inputs_failed" => 13,
        "not_in_batch" => 14,
        _ => 1,
    };

    [GeneratedRegex("^main '([^']*)'$")]
    private static partial Regex MainCall();
}
