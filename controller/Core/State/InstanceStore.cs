using System.Collections.Concurrent;
using IpsecMesh.Core.Model;

namespace IpsecMesh.Core.State;

/// <summary>The controller's in-memory view of the fleet. One worker at a time touches an instance's record (the work queue guarantees it).</summary>
public sealed class InstanceStore
{
    private readonly ConcurrentDictionary<string, InstanceRecord> _records = new(StringComparer.Ordinal);

    public InstanceRecord Get(string instanceId) => _records.GetOrAdd(instanceId, id => new InstanceRecord(id));

    public bool TryGet(string instanceId, out InstanceRecord record) => _records.TryGetValue(instanceId, out record!);

    public void Forget(string instanceId) => _records.TryRemove(instanceId, out _);

    public IReadOnlyCollection<string> Ids => [.. _records.Keys];

    /// <summary>Forgets everything: a replica that (re)gains leadership must not act on what it knew before another leader acted.</summary>
    public void Clear() => _records.Clear();

    /// <summary>Primes the record with a snapshot just read by a resync page (fresh: the reconcile need not read it again).</summary>
    public void Observe(InstanceSnapshot snapshot)
    {
        var record = Get(snapshot.InstanceId);
        lock (record)
        {
            if (record.Snapshot is null || record.Snapshot.ObservedAt <= snapshot.ObservedAt)
            {
                record.Snapshot = snapshot;
                record.SnapshotFresh = true;
            }
        }
    }

    /// <summary>An event said something changed: the next reconcile re-reads EC2.</summary>
    public void MarkStale(string instanceId)
    {
        var record = Get(instanceId);
        lock (record) record.SnapshotFresh = false;
    }

    /// <summary>
    /// True when a tag change is the echo of the controller's own write, already applied to the fresh snapshot: every
    /// changed key has the value (or absence) the controller wrote and has not yet seen come back. Consumes those writes,
    /// so anyone else's later touch of the same values is read again.
    /// </summary>
    public bool Echoes(string instanceId, IReadOnlyDictionary<string, string?> changedTags)
    {
        if (!_records.TryGetValue(instanceId, out var record)) return false;
        lock (record)
        {
            if (!record.SnapshotFresh || record.Snapshot is not { IsGone: false } snapshot) return false;
            if (!changedTags.All(t => record.PendingEchoes.TryGetValue(t.Key, out var wrote) && wrote == t.Value && snapshot.Tag(t.Key) == t.Value))
                return false;
            foreach (var key in changedTags.Keys) record.PendingEchoes.Remove(key);
            return true;
        }
    }

    /// <summary>Counts by phase (the main tag's value, or "untagged"), for the instances gauge.</summary>
    public IReadOnlyDictionary<string, int> CountByPhase(string tagKey)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var record in _records.Values)
        {
            var snapshot = record.Snapshot;
            if (snapshot is null || snapshot.IsGone) continue;
            var phase = snapshot.Tag(tagKey) is { } value && TagValues.Parse(value) != Phase.Unknown ? value : snapshot.Tag(tagKey) is null ? "untagged" : "unknown";
            counts[phase] = counts.GetValueOrDefault(phase) + 1;
        }
        return counts;
    }
}
