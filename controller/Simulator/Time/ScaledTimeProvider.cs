namespace IpsecMesh.Simulator;

/// <summary>
/// Simulated time running <c>factor</c> times faster than the inner (wall) clock: the clock, the
/// timestamps and every timer (so Task.Delay(…, provider) too) are scaled.
/// </summary>
public sealed class ScaledTimeProvider : TimeProvider
{
    private readonly TimeProvider _inner;
    private readonly DateTimeOffset _start;
    private readonly long _innerStartTimestamp;

    public ScaledTimeProvider(double factor, DateTimeOffset? start = null, TimeProvider? inner = null)
    {
        if (!(factor > 0) || double.IsInfinity(factor)) throw new ArgumentOutOfRangeException(nameof(factor), factor, "factor must be positive and finite");
        Factor = factor;
        _inner = inner ?? System;
        _start = start ?? _inner.GetUtcNow();
        _innerStartTimestamp = _inner.GetTimestamp();
    }

    public double Factor { get; }

    public override DateTimeOffset GetUtcNow() => _start + Elapsed();

    public override long TimestampFrequency => _inner.TimestampFrequency;

    public override long GetTimestamp() => _innerStartTimestamp + (long)((_inner.GetTimestamp() - _innerStartTimestamp) * Factor);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        new ScaledTimer(_inner.CreateTimer(callback, state, Scale(dueTime), Scale(period)), this);

    public override TimeZoneInfo LocalTimeZone => _inner.LocalTimeZone;

    private TimeSpan Elapsed() => _inner.GetElapsedTime(_innerStartTimestamp) * Factor;

    internal TimeSpan Scale(TimeSpan simulated) =>
        simulated == Timeout.InfiniteTimeSpan || simulated <= TimeSpan.Zero ? simulated : simulated / Factor;

    private sealed class ScaledTimer(ITimer inner, ScaledTimeProvider owner) : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period) => inner.Change(owner.Scale(dueTime), owner.Scale(period));

        public void Dispose() => inner.Dispose();

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
