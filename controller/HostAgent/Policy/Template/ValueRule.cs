using System.Text.RegularExpressions;

namespace IpsecMesh.HostAgent.Policy.Template;

/// <summary>What a keyword's value may be; <see cref="Check"/> answers null when it is fine, else why not.</summary>
public sealed partial record ValueRule(string Description, Func<string, bool> Accepts)
{
    public string? Check(string keyword, string value) =>
        Accepts(value) ? null : $"{keyword}={value} is not allowed: {keyword} must be {Description}";

    public static ValueRule OneOf(params string[] values) =>
        new(values.Length == 1 ? values[0] : "one of " + string.Join(", ", values), values.Contains);

    /// <summary>A libreswan duration: digits with an optional unit (ms, s, m, h, d); seconds without one.</summary>
    public static ValueRule Duration { get; } = new("a duration such as 500ms, 90s, 2m or 1h", v => DurationPattern().IsMatch(v));

    /// <summary>A duration of at least one second (pluto counts some in whole seconds, and 0 turns the feature off).</summary>
    public static ValueRule PositiveDuration { get; } = new("a positive duration of at least 1s such as 600, 10m or 1h", v =>
        TryDuration(v, out var duration) && duration >= TimeSpan.FromSeconds(1));

    /// <summary>
    /// A duration of at most <paramref name="max"/>: the agent sizes kernel state by it (net.core.xfrm_acq_expires follows
    /// the longest retransmit-timeout), so an unbounded value would keep a torn-down pair's larval SAs that long.
    /// </summary>
    public static ValueRule DurationUpTo(TimeSpan max) =>
        new($"a duration of at most {max.TotalSeconds:0}s such as 500ms, 10s or 1m", v => TryDuration(v, out var d) && d <= max);

    private static bool TryDuration(string value, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        if (DurationPattern().Match(value) is not { Success: true } match || !long.TryParse(match.Groups[1].Value, out var amount)) return false;
        duration = match.Groups[2].Value switch
        {
            "ms" => TimeSpan.FromMilliseconds(amount),
            "m" => TimeSpan.FromMinutes(amount),
            "h" => TimeSpan.FromHours(amount),
            "d" => TimeSpan.FromDays(amount),
            _ => TimeSpan.FromSeconds(amount),
        };
        return true;
    }

    public static ValueRule Count(int min, int max) =>
        new($"a whole number from {min} to {max}", v => int.TryParse(v, out var n) && n >= min && n <= max);

    /// <summary>IKE/ESP proposals (ipsec.conf(5) ike=, esp=): algorithm names only, never a null cipher or integrity.</summary>
    public static ValueRule Proposals { get; } = new("a proposal list such as aes_gcm256-sha2_512;dh19 without 'null' or 'none'",
        v => ProposalPattern().IsMatch(v) && !v.Contains("null", StringComparison.OrdinalIgnoreCase) && !v.Contains("none", StringComparison.OrdinalIgnoreCase));

    /// <summary>pluto debug classes (ipsec.conf(5) plutodebug=), e.g. "none" or "base crypt".</summary>
    public static ValueRule DebugClasses { get; } = new("debug class names such as none or \"base crypt\"", v => DebugPattern().IsMatch(v));

    [GeneratedRegex(@"^([0-9]{1,9})(ms|s|m|h|d)?$")]
    private static partial Regex DurationPattern();

    [GeneratedRegex(@"^[a-z0-9_+;,-]{1,200}$")]
    private static partial Regex ProposalPattern();

    [GeneratedRegex(@"^[a-z0-9-]+( [a-z0-9-]+)*$")]
    private static partial Regex DebugPattern();
}
