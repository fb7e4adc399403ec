using System.Text.RegularExpressions;

namespace IpsecMesh.EndToEnd.Guest;

/// <summary>The closing statistics line of iputils ping.</summary>
public sealed partial record PingSummary(int Transmitted, int Received)
{
    public int Lost => Transmitted - Received;
    public double LossRatio => Transmitted == 0 ? 0 : (double)Lost / Transmitted;

    public static PingSummary Parse(string pingOutput)
    {
        var match = StatisticsLine().Match(pingOutput);
        return match.Success
            ? new PingSummary(int.Parse(match.Groups[1].Value), int.Parse(match.Groups[2].Value))
            : new PingSummary(0, 0);
    }

    [GeneratedRegex(@"(\d+) packets transmitted, (\d+) (?:packets )?received")]
    private static partial Regex StatisticsLine();
}
