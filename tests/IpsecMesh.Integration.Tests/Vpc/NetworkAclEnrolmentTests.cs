using IpsecMesh.Integration.Tests.Support;
using IpsecMesh.Simulator;

namespace IpsecMesh.Integration.Tests.Vpc;

/// <summary>Network ACLs (stateless) and security group egress are checked with the ingress rules, both directions.</summary>
public class NetworkAclEnrolmentTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_network_acl_that_blocks_esp_in_one_direction_fails_enrolment_naming_the_acl_and_rule()
    {
        await using var mesh = new MeshFixture();
        var vpc = mesh.Aws.Fleet.DefaultVpc;
        // Everything in, everything out but ESP to the VPC (rule 90, before the allow).
        var acl = mesh.Aws.Fleet.ReplaceSubnetAcl(vpc.SubnetId,
        [
            SimNetworkAclEntry.Allow(100, egress: false, "-1", "0.0.0.0/0"),
            SimNetworkAclEntry.Deny(90, egress: true, "50", vpc.CidrBlock),
            SimNetworkAclEntry.Allow(100, egress: true, "-1", "0.0.0.0/0"),
        ]);
        var instance = mesh.Launch();
        await mesh.StartControllerAsync(Token);

        await mesh.WaitForTagAsync(instance, "failed");

        var status = instance.Tag("IPSec:Status") ?? "";
        Assert.Contains($"network ACL {acl.NetworkAclId} denies ESP to the mesh (rule 90)", status, StringComparison.Ordinal);
        Assert.DoesNotContain("from the mesh", status, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_network_acl_without_an_ingress_allow_fails_on_the_default_deny()
    {
        await using var mesh = new MeshFixture();
        var vpc = mesh.Aws.Fleet.DefaultVpc;
        var acl = mesh.Aws.Fleet.ReplaceSubnetAcl(vpc.SubnetId,
        [
            SimNetworkAclEntry.Allow(100, egress: false, "17", vpc.CidrBlock, 500, 500),
            SimNetworkAclEntry.Allow(110, egress: false, "17", vpc.CidrBlock, 4500, 4500),
            SimNetworkAclEntry.Allow(100, egress: true, "-1", "0.0.0.0/0"),
        ]);
        var instance = mesh.Launch();
        await mesh.StartControllerAsync(Token);

        await mesh.WaitForTagAsync(instance, "failed");

        var status = instance.Tag("IPSec:Status") ?? "";
        Assert.True(status.Contains($"network ACL {acl.NetworkAclId} denies ESP from the mesh (default rule)", StringComparison.Ordinal), status);
    }

    [Fact]
    public async Task A_security_group_that_admits_the_mesh_one_way_only_is_reported_as_such()
    {
        await using var mesh = new MeshFixture();
        var group = mesh.Aws.Fleet.DefaultVpc.DefaultSecurityGroupId;
        mesh.Aws.Fleet.SetEgress(group, [new IngressRule("tcp", 443, 443) { Cidrs = ["0.0.0.0/0"] }]);
        var instance = mesh.Launch();
        await mesh.StartControllerAsync(Token);

        await mesh.WaitForTagAsync(instance, "failed");

        Assert.Contains($"security group {group} admits the mesh one way only: UDP 500, UDP 4500, ESP from the mesh but not to it (egress)",
            instance.Tag("IPSec:Status"), StringComparison.Ordinal);
    }
}
