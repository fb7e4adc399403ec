using IpsecMesh.Core.Model;
using IpsecMesh.Core.Options;
using IpsecMesh.Core.State;

namespace IpsecMesh.Core.Desired;

/// <summary>Which CA the fleet's installed certificates come from, read from memory (certificate cache, EC2 snapshots, host facts).</summary>
public sealed class FleetCaCoverage(CertificateCache certificates, InstanceStore store, HostFactsStore facts, IpsecMeshOptions options)
{
    /// <summary>
    /// Whether no instance still needs a replaced CA's certificate: every instance whose newest certificate is another CA's is
    /// known and not enabled, and every enabled instance has its current-CA certificate installed.
    /// </summary>
    public bool RunsOnly(string currentCaId)
    {
        foreach (var id in certificates.InstanceIds)
        {
            if (certificates.Get(id) is not { } certificate) continue;
            if (!store.TryGet(id, out var record)) return false;
            InstanceSnapshot? snapshot;
            lock (record) snapshot = record.Snapshot;
            if (snapshot is null) return false;
            var enabled = !snapshot.IsGone && snapshot.Tag(options.TagKey) == TagValues.Enabled;
            if (!enabled) continue;
            if (certificate.CaId != currentCaId) return false;
            if (facts.Get(id).CertExpiry != certificate.NotAfter) return false;
        }
        return true;
    }
}
