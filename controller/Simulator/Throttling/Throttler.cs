namespace IpsecMesh.Simulator.Throttling;

/// <summary>One token bucket per API, created on first use from the profile.</summary>
internal sealed class Throttler(ThrottleProfile profile, TimeProvider time)
{
    private readonly Dictionary<string, TokenBucket?> _buckets = new(StringComparer.Ordinal);
    private readonly Lock _sync = new();

    public bool TryAdmit(string api)
    {
        lock (_sync)
        {
            var now = time.GetUtcNow();
            if (!_buckets.TryGetValue(api, out var bucket))
            {
                var settings = profile.SettingsFor(api);
                bucket = settings is null ? null : new TokenBucket(settings, now);
                _buckets[api] = bucket;
            }
            return bucket?.TryTake(now) ?? true;
        }
    }
}
