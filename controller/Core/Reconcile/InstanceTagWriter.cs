using IpsecMesh.Core.Cloud;
using IpsecMesh.Core.Model;
using IpsecMesh.Core.Options;
using IpsecMesh.Core.State;

namespace IpsecMesh.Core.Reconcile;

/// <summary>
/// Writes the controller's tags of one instance (batched by <see cref="IEc2Gateway"/> with other instances' identical
/// writes), resealing <c>IPSec:Seal</c> over what the tags become, and applies the write to the remembered snapshot.
/// </summary>
public sealed class InstanceTagWriter(IEc2Gateway ec2, TagSeal seal, IpsecMeshOptions options, TimeProvider time)
{
    /// <summary>
    /// Sets <paramref name="tags"/> (only those that differ from the observed ones are sent) and deletes
    /// <paramref name="remove"/>; no call when nothing changes. EC2 errors propagate (the reconcile is retried).
    /// </summary>
    public async Task WriteAsync(Observation observation, InstanceRecord record, Dictionary<string, string> tags, IReadOnlyCollection<string> remove, CancellationToken cancellationToken)
    {
        var current = observation.Instance?.Tags ?? new Dictionary<string, string>();
        var changed = tags.Where(t => !current.TryGetValue(t.Key, out var v) || v != t.Value).ToDictionary(t => t.Key, t => t.Value, StringComparer.Ordinal);
        // Removals are not filtered by what we saw: a snapshot may predate the tag, and deleting an absent key is harmless.
        var removing = remove.ToList();
        var after = new Dictionary<string, string>(current, StringComparer.Ordinal);
        foreach (var (key, value) in changed) after[key] = value;
        foreach (var key in removing) after.Remove(key);
        seal.Apply(observation.InstanceId, after, options, changed, removing);
        if (changed.Count == 0 && removing.Count == 0) return;
        await ec2.SetTagsAsync(observation.InstanceId, changed, removing, cancellationToken);
        lock (record)
        {
            if (record.Snapshot is null) return;
            var merged = new Dictionary<string, string>(record.Snapshot.Tags, StringComparer.Ordinal);
            foreach (var (key, value) in changed) merged[key] = value;
            foreach (var key in removing) merged.Remove(key);
            foreach (var (key, value) in changed) record.PendingEchoes[key] = value;
            foreach (var key in removing) record.PendingEchoes[key] = null;
            // Our write is the newest knowledge of these tags: a listing requested before it finished must not overwrite it.
            record.Snapshot = record.Snapshot with { Tags = merged, ObservedAt = time.GetUtcNow() };
        }
    }

    /// <summary>Writes <c>IPSec:Status</c> (cleaned to one short line) unless it already reads so.</summary>
    public async Task SetStatusAsync(Observation observation, InstanceRecord record, string status, CancellationToken cancellationToken)
    {
        var clean = StatusText.Clean(status);
        if (observation.StatusTag == clean) return;
        await WriteAsync(observation, record, new Dictionary<string, string>(StringComparer.Ordinal) { [options.StatusTagKey] = clean }, [], cancellationToken);
    }
}
