namespace IpsecMesh.Simulator;

/// <summary>One API's token bucket: a burst of <see cref="Capacity"/> calls, refilled at <see cref="RefillPerSecond"/>.</summary>
public sealed record TokenBucketSettings(double Capacity, double RefillPerSecond)
{
    /// <summary>The least time a bucket that starts full needs to admit <paramref name="calls"/> calls.</summary>
    public double LowerBoundSeconds(long calls) => calls <= Capacity ? 0 : (calls - Capacity) / RefillPerSecond;
}
