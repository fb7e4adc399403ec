namespace IpsecMesh.Core.Queue;

/// <summary>Exponential backoff with a cap and "equal jitter": half the delay fixed, half random, so retries of many keys spread out.</summary>
public sealed class BackoffPolicy(TimeSpan baseDelay, TimeSpan cap, Random random)
{
    private readonly object _gate = new();

    public TimeSpan Delay(int failures)
    {
        var exponent = Math.Min(Math.Max(failures - 1, 0), 30);
        var full = Math.Min(cap.TotalMilliseconds, baseDelay.TotalMilliseconds * Math.Pow(2, exponent));
        double jitter;
        lock (_gate) jitter = random.NextDouble();
        return TimeSpan.FromMilliseconds(full / 2 + jitter * full / 2);
    }
}
