using System.Net;
using IpsecMesh.HostAgent.Policy;

namespace IpsecMesh.HostAgent.Tests.Policy;

public class DefaultPolicyTests
{
    [Fact]
    public void The_default_vpc_is_private_or_clear_so_enrolling_one_host_never_cuts_it_off()
    {
        Assert.Equal([IPNetwork.Parse("172.31.0.0/16")], MeshPolicy.Default.Groups[PolicyGroups.PrivateOrClear]);
        Assert.Empty(MeshPolicy.Default.Groups[PolicyGroups.Private]);
    }

    [Fact]
    public void The_vpc_resolver_is_clear()
    {
        Assert.Contains(IPNetwork.Parse("172.31.0.2/32"), MeshPolicy.Default.Groups[PolicyGroups.Clear]);
    }

    [Fact]
    public void The_embedded_default_equals_the_repository_files()
    {
        var fromDisk = MeshPolicy.LoadDirectory(Path.Combine(PolicyFiles.RepositoryRoot(), "config", "policy"));

        Assert.Equal(fromDisk.Policy?.Hash, MeshPolicy.Default.Hash);
    }

    [Fact]
    public void The_default_mesh_networks_are_the_default_vpc()
    {
        Assert.Equal([IPNetwork.Parse("172.31.0.0/16")], MeshPolicy.Default.MeshNetworks);
    }
}
