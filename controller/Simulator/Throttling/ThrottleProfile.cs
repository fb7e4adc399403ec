namespace IpsecMesh.Simulator;

/// <summary>
/// Which token bucket each API gets. Every "service:Operation" has its own bucket; its size comes
/// from the most specific rule: the exact "service:Operation", then "service:Prefix*", then "service:*".
/// </summary>
public sealed record ThrottleProfile
{
    public bool Enabled { get; init; }

    /// <summary>Rules by pattern ("ec2:CreateTags", "ec2:Describe*", "kms:*").</summary>
    public IReadOnlyDictionary<string, TokenBucketSettings> Rules { get; init; } = new Dictionary<string, TokenBucketSettings>();

    public static ThrottleProfile None { get; } = new() { Enabled = false };

    /// <summary>
    /// EC2 numbers are AWS's published ones (non-mutating Describe* 100 burst / 20 per s; CreateTags and
    /// DeleteTags 100 / 10; other mutating 200 / 5 is AWS's generic mutating bucket). The others are
    /// our reading of each service's quota page, rounded: SSM 40 / 20 (SendCommand 20 / 10),
    /// KMS shared cryptographic quota 5,500 / s (asymmetric Sign 300 / s, CreateKey 5 / s),
    /// S3 per-prefix 3,500 writes / 5,500 reads per s, SQS 3,000 / s.
    /// </summary>
    public static ThrottleProfile Aws { get; } = new()
    {
        Enabled = true,
        Rules = new Dictionary<string, TokenBucketSettings>(StringComparer.Ordinal)
        {
            ["ec2:Describe*"] = new(100, 20),
            ["ec2:CreateTags"] = new(100, 10),
            ["ec2:DeleteTags"] = new(100, 10),
            ["ec2:*"] = new(200, 5),
            ["ssm:*"] = new(40, 20),
            ["ssm:SendCommand"] = new(20, 10),
            ["kms:*"] = new(5500, 5500),
            ["kms:Sign"] = new(300, 300),
            ["kms:GetPublicKey"] = new(300, 300),
            ["kms:CreateKey"] = new(5, 5),
            ["s3:Get*"] = new(5500, 5500),
            ["s3:Head*"] = new(5500, 5500),
            ["s3:List*"] = new(5500, 5500),
            ["s3:*"] = new(3500, 3500),
            ["sqs:*"] = new(3000, 3000),
        },
    };

    /// <summary>A copy with one rule added or replaced (the profile stays enabled as it was).</summary>
    public ThrottleProfile WithRule(string pattern, TokenBucketSettings settings)
    {
        var rules = new Dictionary<string, TokenBucketSettings>(Rules, StringComparer.Ordinal) { [pattern] = settings };
        return this with { Rules = rules };
    }

    /// <summary>The bucket settings for one API, or null when that API is not throttled.</summary>
    public TokenBucketSettings? SettingsFor(string api)
    {
        if (!Enabled) return null;
        if (Rules.TryGetValue(api, out var exact)) return exact;
        var colon = api.IndexOf(':', StringComparison.Ordinal);
        var service = colon < 0 ? api : api[..colon];
        TokenBucketSettings? best = null;
        var bestLength = -1;
        foreach (var (pattern, settings) in Rules)
        {
            if (!pattern.EndsWith('*')) continue;
            var prefix = pattern[..^1];
            if (!pattern.StartsWith(service + ":", StringComparison.Ordinal) || !api.StartsWith(prefix, StringComparison.Ordinal)) continue;
            if (prefix.Length > bestLength) (best, bestLength) = (settings, prefix.Length);
        }
        return best;
    }
}
