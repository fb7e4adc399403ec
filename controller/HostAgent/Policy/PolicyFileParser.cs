namespace IpsecMesh.HostAgent.Policy;

/// <summary>Reads a policy group file: one CIDR per line, <c>#</c> starts a comment, blank lines ignored.</summary>
public static class PolicyFileParser
{
    public static IReadOnlyList<PolicyEntry> Parse(string group, string text, string fileLabel, ICollection<PolicyError> errors)
    {
        var entries = new List<PolicyEntry>();
        var lines = SplitLines(text);
        for (var i = 0; i < lines.Count; i++)
        {
            var content = StripComment(lines[i]).Trim();
            if (content.Length == 0) continue;
            if (content.Any(char.IsWhiteSpace))
            {
                errors.Add(new PolicyError(fileLabel, i + 1, "one CIDR per line"));
                continue;
            }
            var network = CidrParser.TryParse(content, out var error);
            if (network is null)
            {
                errors.Add(new PolicyError(fileLabel, i + 1, error ?? "not a CIDR"));
                continue;
            }
            entries.Add(new PolicyEntry(group, network.Value, i + 1));
        }
        return entries;
    }

    internal static IReadOnlyList<string> SplitLines(string text) =>
        text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');

    private static string StripComment(string line)
    {
        var hash = line.IndexOf('#', StringComparison.Ordinal);
        return hash < 0 ? line : line[..hash];
    }
}
