namespace IpsecMesh.HostAgent.Policy.Template;

/// <summary>The known keyword nearest to a misspelt one (at most two edits away), for "did you mean" hints.</summary>
public static class KeywordSuggestion
{
    public static string? Nearest(string keyword, IEnumerable<string> known) =>
        known.Select(k => (Keyword: k, Distance: Distance(keyword, k)))
            .Where(c => c.Distance <= 2)
            .OrderBy(c => c.Distance).ThenBy(c => c.Keyword, StringComparer.Ordinal)
            .Select(c => c.Keyword)
            .FirstOrDefault();

    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++) previous[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
