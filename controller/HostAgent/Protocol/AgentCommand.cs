namespace IpsecMesh.HostAgent.Protocol;

/// <summary>
/// Turns a request into the <c>commands</c> parameter of AWS-RunShellScript and back. The script
/// and the request travel in quoted heredocs, so the shell expands nothing inside either.
/// </summary>
public static class AgentCommand
{
    public const string ScriptTerminator = "IPSEC_MESH_AGENT_EOF";
    public const string RequestTerminator = "IPSEC_MESH_REQUEST_EOF";
    public const string CommentPrefix = "ipsec-mesh ";
    public const string AgentPath = "/var/lib/ipsec-mesh/ipsec-mesh-agent.sh";

    public static IReadOnlyList<string> Render(string script, AgentRequest request)
    {
        var lines = new List<string>
        {
            // POSIX sh: SSM runs these lines with /bin/sh (dash on Debian and Ubuntu); the agent itself runs under bash.
            "set -eu",
            "umask 077",
            "install -d -m 0700 /var/lib/ipsec-mesh",
            "agent=$(mktemp /var/lib/ipsec-mesh/agent.XXXXXX)",
            $"cat > \"$agent\" <<'{ScriptTerminator}'",
        };
        lines.AddRange(script.TrimEnd('\n').Split('\n'));
        lines.Add(ScriptTerminator);
        lines.Add($"mv -f \"$agent\" {AgentPath}");
        lines.Add($"exec bash {AgentPath} <<'{RequestTerminator}'");
        lines.AddRange(request.ToText().TrimEnd('\n').Split('\n'));
        lines.Add(RequestTerminator);
        return lines;
    }

    private const string ConfigMarker = " cfg=";

    /// <summary>
    /// The SSM command comment (at most 100 characters, SendCommand's limit): how a restarted
    /// controller recognises its own commands, their verbs and the config hash they carry, e.g.
    /// <c>ipsec-mesh install+csr cfg=3f9a2c1b7d4e</c>.
    /// </summary>
    public static string Comment(AgentRequest request) =>
        CommentPrefix + string.Join('+', request.Verbs)
        + (request.Parameters.TryGetValue("configHash", out var hash) ? ConfigMarker + hash : "");

    /// <summary>The verbs named by a comment of ours, or null for a foreign command.</summary>
    public static IReadOnlyList<string>? VerbsFromComment(string? comment) => ParseComment(comment)?.Verbs;

    /// <summary>The verbs and config hash named by a comment of ours, or null for a foreign command.</summary>
    public static CommandComment? ParseComment(string? comment)
    {
        if (comment is null || !comment.StartsWith(CommentPrefix, StringComparison.Ordinal)) return null;
        var rest = comment[CommentPrefix.Length..];
        var marker = rest.IndexOf(ConfigMarker, StringComparison.Ordinal);
        return marker < 0
            ? new CommandComment(rest.Split('+'), null)
            : new CommandComment(rest[..marker].Split('+'), rest[(marker + ConfigMarker.Length)..]);
    }

    /// <summary>Recovers the request from rendered command lines (what a virtual host receives).</summary>
    public static AgentRequest ExtractRequest(IEnumerable<string> commands)
    {
        var lines = commands.SelectMany(c => c.Split('\n')).ToList();
        var start = lines.FindIndex(l => l.EndsWith($"<<'{RequestTerminator}'", StringComparison.Ordinal));
        if (start < 0) throw new AgentProtocolException("command carries no ipsec-mesh request");
        var end = lines.FindIndex(start + 1, l => l == RequestTerminator);
        if (end < 0) throw new AgentProtocolException("ipsec-mesh request is not terminated");
        return AgentRequest.Parse(string.Join('\n', lines.Skip(start + 1).Take(end - start - 1)));
    }
}
