namespace IpsecMesh.HostAgent.Protocol;

/// <summary>
/// The SSM command comment of a request: how a restarted controller recognises its own commands.
/// (The request itself travels as the agent document's parameter: see <c>AgentDocument</c>.)
/// </summary>
public static class AgentCommand
{
    public const string CommentPrefix = "ipsec-mesh ";

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
}
