namespace IpsecMesh.Simulator.Throttling;

/// <summary>A token bucket on simulated time. Not thread-safe: <see cref="Throttler"/> locks around it.</summary>
internal sealed class TokenBucket(TokenBucketSettings settings, DateTimeOffset now)
{
    private double _tokens = settings.Capacity;
    private DateTimeOffset _last = now;

    public TokenBucketSettings Settings => settings;

    public bool TryTake(DateTimeOffset now)
    {
        if (now > _last)
        {
            _tokens = Math.Min(settings.Capacity, _tokens + (now - _last).TotalSeconds * settings.RefillPerSecond);
            _last = now;
        }
        if (_tokens < 1) return false;
        _tokens -= 1;
        return true;
    }
}
