namespace IpsecMesh.EndToEnd;

/// <summary>How soon the suite's controller renews host certificates: its <c>RenewAfter</c>.</summary>
public readonly record struct RenewalPace(TimeSpan RenewAfter)
{
    private static readonly TimeSpan Margin = TimeSpan.FromSeconds(75);
    private static readonly TimeSpan Shortest = TimeSpan.FromMinutes(1);

    /// <summary>Not within the suite's run: no rotation disturbs the other scenarios.</summary>
    public static RenewalPace Never { get; } = new(TimeSpan.FromHours(12));

    /// <summary>
    /// Every certificate at least <paramref name="youngestAge"/> old is due at once, and the new ones are not due again
    /// for about as long: scenario c rotates each host once, however slow the machine, and no host's next renewal
    /// runs into the scenarios after it. The margin covers the age read from <c>IPSec:CertExpiry</c>, whose notAfter is
    /// rounded down to the minute (so the age read is up to a minute too long).
    /// </summary>
    public static RenewalPace DueNow(TimeSpan youngestAge) =>
        new(youngestAge - Margin > Shortest ? youngestAge - Margin : Shortest);
}
