using System.Collections.Concurrent;
using IpsecMesh.Pki.Registry;

namespace IpsecMesh.Pki;

/// <summary>
/// Counts of events the PKI cannot put right by itself, for the engine to export as metrics (the PKI has no
/// Meter of its own). Monotonic totals since the process started; thread-safe.
/// </summary>
public sealed class PkiCounters
{
    private readonly ConcurrentDictionary<string, long> _rejectedCrls = new(StringComparer.Ordinal);
    private long _keptWithoutRecord;

    /// <summary>Stored CRLs ignored because they were not the CA's own, by <see cref="CrlProblems"/> value (every value present, zeros included).</summary>
    public IReadOnlyDictionary<string, long> StoredCrlsRejected =>
        CrlProblems.All.ToDictionary(problem => problem, problem => _rejectedCrls.GetValueOrDefault(problem), StringComparer.Ordinal);

    /// <summary>CRL entries kept (counted at every publication) because a verified CRL listed them but their revocation record was gone.</summary>
    public long CrlEntriesKeptWithoutRecord => Interlocked.Read(ref _keptWithoutRecord);

    internal void StoredCrlRejected(string problem) => _rejectedCrls.AddOrUpdate(problem, 1, (_, count) => count + 1);

    internal void CrlEntryKeptWithoutRecord() => Interlocked.Increment(ref _keptWithoutRecord);
}
