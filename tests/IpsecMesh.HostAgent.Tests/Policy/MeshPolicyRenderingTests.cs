using System.Net;
using System.Text;
using IpsecMesh.HostAgent.Policy;

namespace IpsecMesh.HostAgent.Tests.Policy;

public class MeshPolicyRenderingTests
{
    private static MeshPolicy Load(Dictionary<string, string> files) =>
        MeshPolicy.Load(files, "test").Policy ?? throw new InvalidOperationException("policy did not load");

    [Fact]
    public void The_bundle_holds_the_template_and_every_group_under_the_protocol_paths()
    {
        var bundle = Load(PolicyFiles.Valid()).RenderBundle();

        Assert.Equal(
            ["config/ipsec-mesh.conf", "config/policies/block", "config/policies/clear", "config/policies/clear-or-private", "config/policies/private", "config/policies/private-or-clear"],
            bundle.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(PolicyFiles.Template, Encoding.UTF8.GetString(bundle["config/ipsec-mesh.conf"]));
    }

    [Fact]
    public void A_group_renders_as_normalised_cidrs_one_per_line_without_duplicates()
    {
        var policy = Load(PolicyFiles.With(PolicyGroups.Private, "  10.1.0.0/16   # app\r\n10.1.0.0/16\nfd00:0:0::/48\n"));

        var text = Encoding.UTF8.GetString(policy.RenderBundle()["config/policies/private"]);

        Assert.Equal(["10.1.0.0/16", "fd00::/48"], text.Split('\n').Where(l => l.Length > 0 && !l.StartsWith('#')));
    }

    [Fact]
    public void The_hash_is_twelve_lower_case_hex_digits_and_stable_across_loads()
    {
        var first = Load(PolicyFiles.Valid()).Hash;
        var second = Load(PolicyFiles.Valid()).Hash;

        Assert.Matches("^[0-9a-f]{12}$", first);
        Assert.Equal(first, second);
    }

    [Fact]
    public void Comments_blank_lines_and_line_endings_do_not_change_the_hash()
    {
        var plain = Load(PolicyFiles.Valid()).Hash;
        var commented = Load(PolicyFiles.With(PolicyGroups.Private, "# a new comment\r\n\r\n10.1.0.0/16 # app\r\n")).Hash;

        Assert.Equal(plain, commented);
    }

    [Theory]
    [InlineData(PolicyGroups.Private, "10.1.0.0/16\n10.3.0.0/16\n")]
    [InlineData(PolicyGroups.Clear, "172.31.0.3/32\n")]
    [InlineData(PolicyGroups.Block, "")]
    public void Any_change_of_a_group_changes_the_hash(string group, string text)
    {
        Assert.NotEqual(Load(PolicyFiles.Valid()).Hash, Load(PolicyFiles.With(group, text)).Hash);
    }

    [Fact]
    public void Moving_a_cidr_to_another_group_changes_the_hash()
    {
        var moved = PolicyFiles.With(PolicyGroups.Private, "");
        moved[PolicyGroups.Clear] = "172.31.0.2/32\n10.1.0.0/16\n";

        Assert.NotEqual(Load(PolicyFiles.Valid()).Hash, Load(moved).Hash);
    }

    [Fact]
    public void A_template_change_changes_the_hash()
    {
        var changed = PolicyFiles.With(PolicyGroups.TemplateFile, PolicyFiles.Template.Replace("retransmit-timeout=3s", "retransmit-timeout=5s", StringComparison.Ordinal));

        Assert.NotEqual(Load(PolicyFiles.Valid()).Hash, Load(changed).Hash);
    }

    [Fact]
    public void Mesh_networks_are_the_private_private_or_clear_and_clear_or_private_groups()
    {
        var files = PolicyFiles.Valid();
        files[PolicyGroups.ClearOrPrivate] = "10.200.0.0/24\n";

        var networks = Load(files).MeshNetworks;

        Assert.Equal([IPNetwork.Parse("10.1.0.0/16"), IPNetwork.Parse("172.31.0.0/16"), IPNetwork.Parse("10.200.0.0/24")], networks);
    }

    [Fact]
    public void Render_bundle_returns_copies_the_caller_cannot_use_to_change_the_policy()
    {
        var policy = Load(PolicyFiles.Valid());
        policy.RenderBundle()["config/policies/private"][0] = (byte)'X';

        Assert.Equal((byte)'#', policy.RenderBundle()["config/policies/private"][0]);
    }
}
