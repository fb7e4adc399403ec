using System.Net;
using IpsecMesh.HostAgent.Policy;

namespace IpsecMesh.HostAgent.Tests.Policy;

public class PolicyCoverageTests
{
    private static MeshPolicy Policy(string group, string cidrs) => MeshPolicy.Load(PolicyFiles.With(group, cidrs), "test").Policy!;

    [Theory]
    [InlineData("10.1.2.3")]
    [InlineData("172.31.4.5")]
    public void An_address_in_an_encrypting_group_is_covered(string address)
    {
        Assert.Null(PolicyCoverage.Problem(MeshPolicy.Load(PolicyFiles.Valid(), "test").Policy!, [IPAddress.Parse(address)]));
    }

    [Fact]
    public void An_address_in_no_group_is_named()
    {
        var problem = PolicyCoverage.Problem(MeshPolicy.Load(PolicyFiles.Valid(), "test").Policy!, [IPAddress.Parse("10.9.0.5")]);

        Assert.Equal("address 10.9.0.5 is in no mesh policy group: peers would reach it in clear", problem);
    }

    [Fact]
    public void The_most_specific_group_decides_as_in_libreswan()
    {
        var problem = PolicyCoverage.Problem(Policy(PolicyGroups.Clear, "172.31.4.0/24\n"), [IPAddress.Parse("172.31.4.5")]);

        Assert.Equal("address 172.31.4.5 is in the clear group (172.31.4.0/24), in no mesh policy group: peers would reach it in clear", problem);
    }

    [Fact]
    public void One_covered_address_is_enough()
    {
        Assert.Null(PolicyCoverage.Problem(MeshPolicy.Load(PolicyFiles.Valid(), "test").Policy!, [IPAddress.Parse("10.9.0.5"), IPAddress.Parse("10.1.0.7")]));
    }
}
