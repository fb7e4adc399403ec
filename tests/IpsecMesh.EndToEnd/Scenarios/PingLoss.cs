using IpsecMesh.EndToEnd.Guest;

namespace IpsecMesh.EndToEnd.Scenarios;

/// <summary>
/// The hitless target (issue "hitless data plane"): at most 1 s of pings lost per direction of a pair while
/// certificates or CAs change. Prints each direction and the total, and fails each direction over the target.
/// </summary>
public static class PingLoss
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);
    public static readonly int MaxLostPerDirection = (int)(TimeSpan.FromSeconds(1) / Interval);

    public static void Judge(Verdict verdict, string during, IReadOnlyList<(GuestHost From, GuestHost To, PingSummary Summary)> directions)
    {
        var (lost, sent) = (0, 0);
        foreach (var (from, to, summary) in directions)
        {
            lost += summary.Lost;
            sent += summary.Transmitted;
            verdict.Figure($"{from.Name}->{to.Name} lost {summary.Lost}/{summary.Transmitted}");
            verdict.Expect(summary.Transmitted > 0 && summary.Lost <= MaxLostPerDirection,
                $"{from.Name}->{to.Name} lost {summary.Lost} pings of {Interval.TotalMilliseconds:0} ms ({summary.Lost * Interval.TotalSeconds:0.0}s) during {during}, more than 1 s");
        }
        verdict.Figure($"{during} loss {lost}/{sent} pings = {lost * Interval.TotalSeconds:0.0}s of traffic over {directions.Count} directions");
    }
}
