using System.Net;
using IpsecMesh.Core.Cloud;
using IpsecMesh.Core.Vpc;

namespace IpsecMesh.Core.Tests.Vpc;

public class NetworkAclCheckTests
{
    private static readonly IPNetwork Vpc = IPNetwork.Parse("172.31.0.0/16");

    private static NetworkAclEntry Entry(int rule, bool egress, string protocol, bool allow, string cidr, int? from = null, int? to = null) =>
        new(rule, egress, protocol, allow, IPNetwork.Parse(cidr), from, to);

    private static NetworkAcl Acl(params NetworkAclEntry[] entries) => new("acl-0123456789abcdef0", "vpc-1", ["subnet-1"],
        [.. entries, Entry(32767, false, "-1", false, "0.0.0.0/0"), Entry(32767, true, "-1", false, "0.0.0.0/0")]);

    [Fact]
    public void The_default_acl_admits_everything_both_ways() =>
        Assert.Empty(NetworkAclCheck.Denials(Acl(Entry(100, false, "-1", true, "0.0.0.0/0"), Entry(100, true, "-1", true, "0.0.0.0/0")), [Vpc]));

    [Fact]
    public void A_deny_before_the_allow_wins_and_is_named_with_its_rule_and_direction()
    {
        var acl = Acl(Entry(90, true, "50", false, "172.31.0.0/16"), Entry(100, false, "-1", true, "0.0.0.0/0"), Entry(100, true, "-1", true, "0.0.0.0/0"));

        var denial = Assert.Single(NetworkAclCheck.Denials(acl, [Vpc]));

        Assert.Equal(new NetworkAclCheck.Denial("acl-0123456789abcdef0", "90", "ESP", "to"), denial);
        Assert.Equal("network ACL acl-0123456789abcdef0 denies ESP to the mesh (rule 90)", NetworkAclCheck.Describe([denial]));
    }

    [Fact]
    public void A_deny_after_a_covering_allow_never_applies()
    {
        var acl = Acl(Entry(100, false, "-1", true, "0.0.0.0/0"), Entry(110, false, "17", false, "172.31.0.0/16", 500, 500), Entry(100, true, "-1", true, "0.0.0.0/0"));

        Assert.Empty(NetworkAclCheck.Denials(acl, [Vpc]));
    }

    [Fact]
    public void Without_a_matching_allow_the_default_deny_applies_to_each_missing_traffic()
    {
        // Only IKE both ways: NAT-T and ESP fall to the "*" rule in each direction (stateless: egress is separate).
        var acl = Acl(Entry(100, false, "17", true, "172.31.0.0/16", 500, 500), Entry(100, true, "17", true, "172.31.0.0/16", 500, 500));

        var denials = NetworkAclCheck.Denials(acl, [Vpc]);

        Assert.Equal(["UDP 4500 from *", "ESP from *", "UDP 4500 to *", "ESP to *"], denials.Select(d => $"{d.Traffic} {d.Direction} {d.Rule}"));
    }

    [Fact]
    public void A_partial_allow_leaves_the_rest_of_the_mesh_to_later_rules()
    {
        var acl = Acl(Entry(100, false, "-1", true, "172.31.0.0/17"), Entry(100, true, "-1", true, "0.0.0.0/0"));

        var denials = NetworkAclCheck.Denials(acl, [Vpc]);

        Assert.Equal(3, denials.Count);
        Assert.All(denials, d => Assert.Equal(("from", "*"), (d.Direction, d.Rule)));
    }

    [Fact]
    public void Rules_for_other_protocols_and_ports_do_not_match()
    {
        var acl = Acl(Entry(50, false, "6", false, "0.0.0.0/0", 500, 500), Entry(60, false, "17", false, "0.0.0.0/0", 53, 53),
            Entry(100, false, "-1", true, "0.0.0.0/0"), Entry(100, true, "-1", true, "0.0.0.0/0"));

        Assert.Empty(NetworkAclCheck.Denials(acl, [Vpc]));
    }
}
