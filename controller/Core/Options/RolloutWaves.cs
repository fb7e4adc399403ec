using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace IpsecMesh.Core.Options;

/// <summary>
/// The waves of a config roll-out: cumulative sizes (a host count, or a percentage of the enabled
/// fleet, rounded up), e.g. "1,5%,25%,100%" — one canary, then 5 %, 25 %, everyone. Which hosts are
/// in a wave is a stable order (SHA-256 of the target config's id and the instance id), so a
/// restarted controller admits the same hosts and every config picks other canaries.
/// </summary>
public sealed class RolloutWaves
{
    private readonly IReadOnlyList<(int Count, bool Percent)> _steps;

    private RolloutWaves(IReadOnlyList<(int Count, bool Percent)> steps) => _steps = steps;

    public int Count => _steps.Count;

    /// <returns>Null when <paramref name="text"/> is valid (then <paramref name="waves"/> is set), else why not.</returns>
    public static string? TryParse(string text, out RolloutWaves waves)
    {
        waves = new RolloutWaves([(100, true)]);
        var steps = new List<(int Count, bool Percent)>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            var percent = part.EndsWith('%');
            if (!int.TryParse(percent ? part[..^1] : part, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < 1 || (percent && value > 100))
                return $"'{part}' is not a host count (1 or more) or a percentage (1% to 100%)";
            steps.Add((value, percent));
        }
        if (steps.Count == 0 || steps[^1] != (100, true)) return "the last wave must be 100%";
        waves = new RolloutWaves(steps);
        return null;
    }

    /// <summary>How many of <paramref name="fleet"/> hosts the roll-out may have reached once wave <paramref name="wave"/> (0-based) started.</summary>
    public int Admitted(int wave, int fleet)
    {
        var admitted = 0;
        for (var i = 0; i <= Math.Min(wave, _steps.Count - 1); i++)
        {
            var (count, percent) = _steps[i];
            admitted = Math.Max(admitted, percent ? (int)Math.Ceiling(fleet * count / 100.0) : count);
        }
        return Math.Min(admitted, fleet);
    }

    /// <summary>The instances in roll-out order for a target config.</summary>
    public static IReadOnlyList<string> Order(string targetId, IEnumerable<string> instanceIds) =>
        [.. instanceIds.OrderBy(id => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(targetId + "/" + id))), StringComparer.Ordinal)];
}
