using System.Net;
using IpsecMesh.Core.Cloud;
using IpsecMesh.Core.Options;
using IpsecMesh.HostAgent.Policy;

namespace IpsecMesh.Core.Vpc;

/// <summary>
/// What the VPCs add to the mesh policy, coalesced: the newest scan (<see cref="Observe"/>, at each resync) is
/// published (becomes part of the desired config, hence a roll-out) at once when nothing was published for
/// <see cref="IpsecMeshOptions.ManagedClearWindow"/>, otherwise once the window since the last publication has
/// passed. So a churning load balancer causes at most one roll-out per window (plus the first). Thread-safe.
/// </summary>
public sealed class VpcPolicyFacts(IpsecMeshOptions options, TimeProvider time)
{
    private readonly Lock _sync = new();
    private IReadOnlyList<GeneratedEntry>? _observed;
    private IReadOnlyList<GeneratedEntry>? _published;
    private DateTimeOffset _publishedAt;

    /// <summary>True when either the managed-interface or the VPC-range derivation is on.</summary>
    public bool Enabled => options.ManagedClear || options.VpcRangesGroup.Length > 0;

    /// <summary>How many times a changed set was published (each one a new config to roll out).</summary>
    public int Publications { get; private set; }

    /// <summary>The VPCs' CIDR blocks as last read (empty before the first scan).</summary>
    public IReadOnlyList<VpcRanges> Vpcs { get; private set; } = [];

    /// <summary>The newest scan, published or not.</summary>
    public IReadOnlyList<GeneratedEntry>? Observed { get { lock (_sync) return _observed; } }

    /// <summary>Records a scan and publishes it when the window allows.</summary>
    public void Observe(IReadOnlyList<GeneratedEntry> entries, IReadOnlyList<VpcRanges> vpcs)
    {
        lock (_sync)
        {
            _observed = entries;
            Vpcs = vpcs;
        }
        Settle();
    }

    /// <summary>
    /// Before the first scan of this process: adopt what the roll-out's config already carries (restored from
    /// the stored roll-out), so that a restart does not start a roll-out that removes them. Counts as a publication now.
    /// </summary>
    public void Seed(MeshPolicy? carried)
    {
        if (carried is null || !Enabled) return;
        lock (_sync)
        {
            if (_published is not null) return;
            _published = [.. carried.Generated.SelectMany(g => g.Value.Select(n => new GeneratedEntry(g.Key, n, "", "kept from the stored roll-out; not re-read yet")))];
            _publishedAt = time.GetUtcNow();
        }
    }

    /// <summary>The entries the desired config carries now (publishing a pending scan whose window has passed); null before any scan or seed.</summary>
    public IReadOnlyList<GeneratedEntry>? Settle()
    {
        if (!Enabled) return [];
        lock (_sync)
        {
            if (_observed is null) return _published;
            if (_published is not null && SameNetworks(_observed, _published))
            {
                _published = _observed; // same addresses, newer reasons: no new config
                return _published;
            }
            var now = time.GetUtcNow();
            if (_published is null || now - _publishedAt >= options.ManagedClearWindow)
            {
                _published = _observed;
                _publishedAt = now;
                Publications++;
            }
            return _published;
        }
    }

    /// <summary>Group → networks, as <see cref="MeshPolicy.WithGenerated"/> takes them.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<IPNetwork>> ByGroup(IReadOnlyList<GeneratedEntry> entries) =>
        entries.GroupBy(e => e.Group, StringComparer.Ordinal).ToDictionary(g => g.Key, g => (IReadOnlyList<IPNetwork>)[.. g.Select(e => e.Network).Distinct()], StringComparer.Ordinal);

    private static bool SameNetworks(IReadOnlyList<GeneratedEntry> a, IReadOnlyList<GeneratedEntry> b) =>
        a.Select(e => (e.Group, e.Network)).ToHashSet().SetEquals(b.Select(e => (e.Group, e.Network)));
}
