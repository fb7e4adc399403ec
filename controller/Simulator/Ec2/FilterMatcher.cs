using System.Text.RegularExpressions;

namespace IpsecMesh.Simulator.Ec2;

/// <summary>EC2 filter values: exact strings with '*' and '?' wildcards, case-sensitive.</summary>
internal static class FilterMatcher
{
    public static bool AnyMatches(IReadOnlyList<string> patterns, IEnumerable<string?> candidates)
    {
        var values = candidates.Where(c => c is not null).ToArray();
        return patterns.Any(p => values.Any(v => Matches(p, v!)));
    }

    public static bool Matches(string pattern, string value) =>
        pattern.Contains('*', StringComparison.Ordinal) || pattern.Contains('?', StringComparison.Ordinal)
            ? Regex.IsMatch(value, "^" + Regex.Escape(pattern).Replace(@"\*", ".*", StringComparison.Ordinal).Replace(@"\?", ".", StringComparison.Ordinal) + "$",
                RegexOptions.None, TimeSpan.FromSeconds(1))
            : pattern == value;
}
