using System.Net;
using System.Text;
using IpsecMesh.HostAgent.Policy;

namespace IpsecMesh.HostAgent.Tests.Policy;

/// <summary>The entries the controller generates from the VPC: part of the rendered files and the hash, kept apart from the written ones.</summary>
public class GeneratedEntriesTests
{
    private static readonly Dictionary<string, IReadOnlyList<IPNetwork>> ManagedClear = new(StringComparer.Ordinal)
    {
        [PolicyGroups.Clear] = [IPNetwork.Parse("172.31.0.10/32"), IPNetwork.Parse("2600:1f18::11/128")],
    };

    [Fact]
    public void Nothing_generated_renders_and_hashes_as_the_written_policy()
    {
        Assert.Equal(MeshPolicy.Default.Hash, MeshPolicy.Default.WithGenerated(new Dictionary<string, IReadOnlyList<IPNetwork>>()).Hash);
    }

    [Fact]
    public void Generated_entries_follow_the_marker_move_the_hash_and_survive_a_round_trip()
    {
        var policy = MeshPolicy.Default.WithGenerated(ManagedClear);

        Assert.NotEqual(MeshPolicy.Default.Hash, policy.Hash);
        var clear = Encoding.UTF8.GetString(policy.RenderBundle()["config/policies/clear"]);
        Assert.Contains(MeshPolicy.GeneratedMarker + "\n172.31.0.10/32\n2600:1f18::11/128\n", clear, StringComparison.Ordinal);
        Assert.Contains(IPNetwork.Parse("172.31.0.10/32"), policy.Groups[PolicyGroups.Clear]);
        Assert.DoesNotContain(IPNetwork.Parse("172.31.0.10/32"), policy.Written[PolicyGroups.Clear]);

        var loaded = MeshPolicy.Load(policy.ToFiles(), "stored").Policy!;
        Assert.Equal(policy.Hash, loaded.Hash);
        Assert.Equal(ManagedClear[PolicyGroups.Clear], loaded.Generated[PolicyGroups.Clear]);
        Assert.Equal(MeshPolicy.Default.Hash, loaded.WithGenerated(new Dictionary<string, IReadOnlyList<IPNetwork>>()).Hash);
    }

    [Fact]
    public void A_network_an_operator_wrote_into_any_group_is_never_generated()
    {
        var generated = new Dictionary<string, IReadOnlyList<IPNetwork>>(StringComparer.Ordinal)
        {
            [PolicyGroups.Clear] = [IPNetwork.Parse("172.31.0.2/32"), IPNetwork.Parse("0.0.0.0/0")],
            [PolicyGroups.PrivateOrClear] = [IPNetwork.Parse("172.31.0.0/16"), IPNetwork.Parse("10.9.0.0/16")],
        };

        var policy = MeshPolicy.Default.WithGenerated(generated);

        Assert.Equal([IPNetwork.Parse("10.9.0.0/16")], policy.Generated[PolicyGroups.PrivateOrClear]);
        Assert.False(policy.Generated.ContainsKey(PolicyGroups.Clear));
        Assert.Contains(IPNetwork.Parse("10.9.0.0/16"), policy.MeshNetworks);
    }
}
