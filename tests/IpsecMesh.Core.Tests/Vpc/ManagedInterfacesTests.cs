using System.Net;
using IpsecMesh.Core.Cloud;
using IpsecMesh.Core.Options;
using IpsecMesh.Core.Vpc;

namespace IpsecMesh.Core.Tests.Vpc;

public class ManagedInterfacesTests
{
    private static NetworkInterfaceFact Eni(string id, string type, bool managed, string? instance, string description, params string[] addresses) =>
        new(id, type, description, managed, instance, "vpc-1", "subnet-1", [.. addresses.Select(IPAddress.Parse)]);

    private static readonly NetworkInterfaceFact[] Interfaces =
    [
        Eni("eni-00000001", "network_load_balancer", false, null, "ELB net/web/50dc6c495c0c9188", "172.31.0.10"),
        Eni("eni-00000002", "interface", true, null, "RDSNetworkInterface", "172.31.0.11", "2600:1f18::11"),
        Eni("eni-00000003", "interface", false, "i-mesh", "", "172.31.0.12"),
        Eni("eni-00000004", "interface", false, "i-other", "", "172.31.0.13"),
        Eni("eni-00000005", "vpc_endpoint", true, null, "VPC Endpoint Interface vpce-0abc", "172.31.0.14"),
        Eni("eni-00000006", "interface", true, "i-mesh", "an odd managed interface on a mesh host", "172.31.0.15"),
        Eni("eni-00000007", "natGateway", false, null, "Interface for NAT Gateway nat-0abc\n", "172.31.0.16"),
    ];

    [Fact]
    public void Requester_managed_and_service_typed_interfaces_are_kept_clear_as_host_routes()
    {
        var entries = ManagedInterfaces.ClearEntries(Interfaces, new HashSet<string> { "i-mesh" }, new HashSet<IPAddress>(), ManagedClearExceptions.None);

        Assert.Equal(["172.31.0.10/32", "172.31.0.11/32", "172.31.0.14/32", "172.31.0.16/32", "2600:1f18::11/128"], entries.Select(e => e.Network.ToString()));
        Assert.All(entries, e => Assert.Equal("clear", e.Group));
        Assert.Equal(("eni-00000001", "network_load_balancer: ELB net/web/50dc6c495c0c9188"), (entries[0].Source, entries[0].Reason));
        Assert.Equal("requester-managed interface: RDSNetworkInterface", entries[1].Reason);
        Assert.Equal("natGateway: Interface for NAT Gateway nat-0abc", entries[3].Reason);
    }

    [Fact]
    public void Pinned_exceptions_and_mesh_host_addresses_are_left_out()
    {
        Assert.Null(ManagedClearExceptions.TryParse("eni-00000001, 172.31.0.14/32", out var exceptions));

        var entries = ManagedInterfaces.ClearEntries(Interfaces, new HashSet<string>(), new HashSet<IPAddress> { IPAddress.Parse("172.31.0.16") }, exceptions);

        Assert.Equal(["172.31.0.11/32", "172.31.0.15/32", "2600:1f18::11/128"], entries.Select(e => e.Network.ToString()));
    }

    [Theory]
    [InlineData("eni-xyz", "item 1 'eni-xyz' is not an interface id")]
    [InlineData("eni-00000001,10.0.0.1", "item 2: '10.0.0.1' has no prefix length")]
    [InlineData("10.0.0.1/24", "item 1: '10.0.0.1/24' has host bits set")]
    public void Bad_exceptions_are_named_with_their_position(string text, string expected)
    {
        var error = ManagedClearExceptions.TryParse(text, out _);
        Assert.NotNull(error);
        Assert.StartsWith(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Vpc_ranges_go_to_the_chosen_group_and_each_ipv4_block_keeps_its_resolver_clear()
    {
        var entries = VpcRangeEntries.Of([new VpcRanges("vpc-1", [IPNetwork.Parse("10.20.0.0/16"), IPNetwork.Parse("2600:1f18:4a00::/56")])], "private");

        Assert.Equal(["private 10.20.0.0/16", "clear 10.20.0.2/32", "private 2600:1f18:4a00::/56"], entries.Select(e => $"{e.Group} {e.Network}"));
        Assert.Empty(VpcRangeEntries.Of([new VpcRanges("vpc-1", [IPNetwork.Parse("10.20.0.0/16")])], ""));
    }
}
