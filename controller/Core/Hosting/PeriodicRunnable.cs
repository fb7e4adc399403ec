namespace IpsecMesh.Core.Hosting;

/// <summary>When a periodic runnable first runs in a leadership term.</summary>
public enum FirstRun
{
    /// <summary>At the start of the term, then every interval.</summary>
    AtStart,
    /// <summary>One interval after the start of the term.</summary>
    AfterInterval,
    /// <summary>One interval after the start when start-up ran it already (the resync), else at the start.</summary>
    AfterIntervalIfStartupRan,
}

/// <summary>
/// A loop of the leader term: <paramref name="RunOnceAsync"/> every <paramref name="Interval"/> while this replica leads.
/// <paramref name="Name"/> names it in the log when one run fails (the loop goes on at its next tick).
/// </summary>
public sealed record PeriodicRunnable(string Name, TimeSpan Interval, Func<CancellationToken, Task> RunOnceAsync, FirstRun First = FirstRun.AtStart);
