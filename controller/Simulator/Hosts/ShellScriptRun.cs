using System.Text;

namespace IpsecMesh.Simulator;

/// <summary>
/// One <c>aws:runShellScript</c> step as the SSM agent runs it: its lines, parameters filled in (the
/// agent writes them to <c>_script.sh</c>, mode 0700, and runs <c>sh -c _script.sh</c>, so the
/// script's own shebang decides the shell), and the files the document's earlier steps placed on the
/// instance (an <c>aws:downloadContent</c> destination → its bytes), and the environment the SSM agent
/// gives the script: <c>AWS_SSM_INSTANCE_ID</c> (the managed node's id) and <c>AWS_SSM_REGION_NAME</c>,
/// which amazon-ssm-agent sets for <c>aws:runShellScript</c> (its runscript plugin); empty when unknown.
/// </summary>
public sealed partial record ShellScriptRun(IReadOnlyList<string> RunCommand, IReadOnlyDictionary<string, byte[]> Files,
    IReadOnlyDictionary<string, string>? Environment = null)
{
    /// <summary>The SSM agent's environment for an instance: its id and region.</summary>
    public static IReadOnlyDictionary<string, string> AgentEnvironment(string instanceId, string region) =>
        new Dictionary<string, string>(StringComparer.Ordinal) { ["AWS_SSM_INSTANCE_ID"] = instanceId, ["AWS_SSM_REGION_NAME"] = region };

    private const string FileTerminator = "IPSEC_MESH_DOWNLOADED_FILE_EOF";
    private const string ScriptTerminator = "IPSEC_MESH_SSM_SCRIPT_EOF";

    /// <summary>The step's script, as the SSM agent writes it.</summary>
    public string Script => string.Join('\n', RunCommand) + "\n";

    /// <summary>
    /// A bash script that does on a real host what the SSM agent does for this step: puts each downloaded
    /// file where the download step would (mode 0600, its directory created), writes the step's lines to a
    /// 0700 file and runs it with <c>sh -c</c>, exiting with its status.
    /// </summary>
    public string StandInScript()
    {
        if (RunCommand.Contains(ScriptTerminator)) throw new InvalidOperationException($"the script holds the line {ScriptTerminator}");
        var script = new StringBuilder("set -eu\numask 077\n");
        foreach (var (path, content) in Files.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            if (!path.StartsWith('/') || path.Contains('\'', StringComparison.Ordinal) || path.Contains('\n', StringComparison.Ordinal))
                throw new InvalidOperationException($"the stand-in places files at plain absolute paths only, not '{path}'");
            var directory = path[..path.LastIndexOf('/')];
            script.Append("mkdir -p '").Append(directory.Length == 0 ? "/" : directory).Append("'\n");
            script.Append("base64 -d >'").Append(path).Append("' <<'").Append(FileTerminator).Append("'\n");
            script.Append(Convert.ToBase64String(content, Base64FormattingOptions.InsertLineBreaks).Replace("\r\n", "\n", StringComparison.Ordinal)).Append('\n');
            script.Append(FileTerminator).Append('\n');
        }
        script.Append("ssm_script=$(mktemp \"${TMPDIR:-/tmp}/ipsec-mesh-ssm-script.XXXXXX\")\n");
        script.Append("cat >\"$ssm_script\" <<'").Append(ScriptTerminator).Append("'\n");
        script.Append(Script);
        script.Append(ScriptTerminator).Append('\n');
        script.Append("chmod 0700 \"$ssm_script\"\n");
        foreach (var (name, value) in (Environment ?? new Dictionary<string, string>()).OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            if (!EnvironmentName().IsMatch(name) || !EnvironmentValue().IsMatch(value))
                throw new InvalidOperationException($"the stand-in exports plain names and values only, not {name}='{value}'");
            script.Append("export ").Append(name).Append("='").Append(value).Append("'\n");
        }
        script.Append("rc=0\nsh -c \"$ssm_script\" </dev/null || rc=$?\nrm -f \"$ssm_script\"\nexit \"$rc\"\n");
        return script.ToString();
    }

    [System.Text.RegularExpressions.GeneratedRegex("^[A-Z][A-Z0-9_]*$")]
    private static partial System.Text.RegularExpressions.Regex EnvironmentName();

    [System.Text.RegularExpressions.GeneratedRegex("^[A-Za-z0-9._-]*$")]
    private static partial System.Text.RegularExpressions.Regex EnvironmentValue();
}
