using IpsecMesh.Core.Cloud;
using IpsecMesh.Core.Model;
using IpsecMesh.Core.Options;
using IpsecMesh.Core.State;

namespace IpsecMesh.Core.Reconcile;

/// <summary>
/// Writes the controller's tags of one instance (batched by <see cref="IEc2Gateway"/> with other instances' identical
/// writes) and applies the write to the remembered snapshot. A change of the host's facts is recorded in the
/// <see cref="HostFactsStore"/> (what the controller believes) and shown on <c>IPSec:Config</c> and
/// <c>IPSec:CertExpiry</c>, which are for people only: shared values (a config hash, an expiry to the minute) so that
/// hosts that change together share one <c>CreateTags</c>.
/// </summary>
public sealed class InstanceTagWriter(IEc2Gateway ec2, HostFactsStore facts, IpsecMeshOptions options, TimeProvider time)
{
    /// <summary>
    /// Sets <paramref name="tags"/> (only those that differ from the observed ones are sent) and deletes
    /// <paramref name="remove"/>; no call when nothing changes. Then records <paramref name="factsChange"/>, also when its
    /// tags already read so. EC2 errors propagate before any fact is recorded (the reconcile is retried).
    /// </summary>
    public async Task WriteAsync(Observation observation, InstanceRecord record, Dictionary<string, string> tags, IReadOnlyCollection<string> remove, CancellationToken cancellationToken,
        HostFactsChange? factsChange = null)
    {
        var removing = remove.ToList();
        if (factsChange is not null) ShowFacts(factsChange, tags, removing);
        var current = observation.Instance?.Tags ?? new Dictionary<string, string>();
        var changed = tags.Where(t => !current.TryGetValue(t.Key, out var v) || v != t.Value).ToDictionary(t => t.Key, t => t.Value, StringComparer.Ordinal);
        // Removals are not filtered by what we saw: a snapshot may predate the tag, and deleting an absent key is harmless.
        if (changed.Count > 0 || removing.Count > 0) await WriteTagsAsync(observation.InstanceId, record, changed, removing, cancellationToken);
        if (factsChange is not null) facts.Apply(observation.InstanceId, factsChange);
    }

    private void ShowFacts(HostFactsChange change, Dictionary<string, string> tags, List<string> remove)
    {
        if (change.ConfigHash is { } hash) tags[options.ConfigTagKey] = hash;
        if (change.ForgetConfig) remove.Add(options.ConfigTagKey);
        if (change.CertExpiry is { } expiry) tags[options.CertExpiryTagKey] = HostFacts.ExpiryTag(expiry);
        if (change.ForgetCertificate) remove.Add(options.CertExpiryTagKey);
    }

    private async Task WriteTagsAsync(string instanceId, InstanceRecord record, Dictionary<string, string> changed, List<string> removing, CancellationToken cancellationToken)
    {
        await ec2.SetTagsAsync(instanceId, changed, removing, cancellationToken);
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
