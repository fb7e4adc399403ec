using System.Collections.Concurrent;

namespace IpsecMesh.Simulator;

/// <summary>Every call the simulator answered, per "service:Operation" (e.g. "ec2:DescribeInstances") and outcome.</summary>
public sealed class ApiCallCounters
{
    private readonly ConcurrentDictionary<string, long[]> _counts = new(StringComparer.Ordinal);

    internal void Record(string api, ApiCallOutcome outcome)
    {
        var slots = _counts.GetOrAdd(api, _ => new long[3]);
        Interlocked.Increment(ref slots[(int)outcome]);
    }

    public ApiCallTally this[string api] =>
        _counts.TryGetValue(api, out var s)
            ? new ApiCallTally(Interlocked.Read(ref s[0]), Interlocked.Read(ref s[1]), Interlocked.Read(ref s[2]))
            : default;

    /// <summary>A consistent-enough copy of every counter, ordered by API name.</summary>
    public IReadOnlyDictionary<string, ApiCallTally> Snapshot() =>
        new SortedDictionary<string, ApiCallTally>(
            _counts.Keys.ToDictionary(k => k, k => this[k], StringComparer.Ordinal), StringComparer.Ordinal);

    public long Total => Snapshot().Values.Sum(t => t.Total);

    public long Throttled => Snapshot().Values.Sum(t => t.Throttled);

    public long Errors => Snapshot().Values.Sum(t => t.Error);

    /// <summary>
    /// The least simulated time the token buckets of <paramref name="profile"/> allow for the calls
    /// counted so far (each bucket starting full): a floor for any run making these calls.
    /// </summary>
    public double LowerBoundSeconds(ThrottleProfile profile) =>
        Snapshot()
            .Select(p => profile.SettingsFor(p.Key)?.LowerBoundSeconds(p.Value.Ok) ?? 0)
            .DefaultIfEmpty(0)
            .Max();
}
