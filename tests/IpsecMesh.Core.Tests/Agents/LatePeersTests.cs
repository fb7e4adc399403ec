using System.Net;
using System.Text;
using IpsecMesh.Core.Agents;
using IpsecMesh.Core.Model;
using IpsecMesh.HostAgent.Policy;

namespace IpsecMesh.Core.Tests.Agents;

/// <summary>Which peers a host initiates to once its conns are loaded.</summary>
public class LatePeersTests
{
    private const string TagKey = "IPSec";

    /// <summary>private 10.1.0.0/16 with a clear /32 in it; private-or-clear 10.2.0.0/16 with a /24 of it clear-or-private.</summary>
    private static readonly MeshPolicy Policy = MeshPolicy.Load(new Dictionary<string, string>
    {
        [PolicyGroups.TemplateFile] = MeshPolicy.Default.ToFiles()[PolicyGroups.TemplateFile],
        [PolicyGroups.Private] = "10.1.0.0/16\n",
        [PolicyGroups.Clear] = "10.1.9.9/32\n",
        [PolicyGroups.PrivateOrClear] = "10.2.0.0/16\n",
        [PolicyGroups.ClearOrPrivate] = "10.2.7.0/24\n",
        [PolicyGroups.Block] = "",
    }, "test").Policy!;

    private static InstanceSnapshot Host(string id, string? tag, params string[] addresses) => new()
    {
        InstanceId = id,
        InstanceArn = "",
        State = "running",
        Tags = tag is null ? new Dictionary<string, string>() : new Dictionary<string, string> { [TagKey] = tag },
        PrivateAddresses = addresses.Select(IPAddress.Parse).ToList(),
        ObservedAt = DateTimeOffset.UnixEpoch,
    };

    [Fact]
    public void Enabled_peers_in_the_groups_the_host_initiates_in_sorted_by_address()
    {
        var fleet = new[]
        {
            Host("i-self", "enabled", "10.1.0.5"),
            Host("i-a", "enabled", "10.2.0.20", "10.1.0.30"),
            Host("i-b", "enabled", "10.1.0.9"),
            Host("i-todo", "todo", "10.1.0.11"),
            Host("i-failed", "failed", "10.1.0.12"),
            Host("i-untagged", null, "10.1.0.13"),
            Host("i-clear", "enabled", "10.1.9.9"),
            Host("i-cop", "enabled", "10.2.7.7"),
            Host("i-outside", "enabled", "192.168.0.1"),
            Host("i-gone", "enabled", "10.1.0.14") with { State = "terminated" },
        };

        var peers = LatePeers.For(Policy, fleet, TagKey, 200);

        // The host's own address too: every host gets one list (the agent skips its own addresses).
        Assert.Equal(["10.1.0.5", "10.1.0.9", "10.1.0.30", "10.2.0.20"], peers.Select(p => p.ToString()));
    }

    [Fact]
    public void At_most_the_limit_and_none_with_a_limit_of_zero()
    {
        var fleet = Enumerable.Range(1, 50).Select(i => Host($"i-{i}", "enabled", $"10.1.0.{i}")).ToList();

        Assert.Equal(10, LatePeers.For(Policy, fleet, TagKey, 10).Count);
        Assert.Equal("10.1.0.10", LatePeers.For(Policy, fleet, TagKey, 10)[^1].ToString());
        Assert.Empty(LatePeers.For(Policy, fleet, TagKey, 0));
    }

    [Fact]
    public void The_file_is_one_address_a_line()
    {
        var text = Encoding.ASCII.GetString(LatePeers.Render([IPAddress.Parse("10.1.0.9"), IPAddress.Parse("fd00::1")]));

        Assert.Equal("10.1.0.9\nfd00::1\n", text);
    }
}
