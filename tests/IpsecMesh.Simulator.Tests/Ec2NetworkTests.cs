using Amazon.EC2.Model;
using Microsoft.Extensions.Time.Testing;
using Filter = Amazon.EC2.Model.Filter;

namespace IpsecMesh.Simulator.Tests;

/// <summary>DescribeNetworkInterfaces, DescribeNetworkAcls and DescribeVpcs through the real AWS SDK: the wire shapes it parses.</summary>
public class Ec2NetworkTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task DescribeNetworkInterfaces_reports_instance_and_managed_interfaces_in_pages()
    {
        await using var aws = new SimulatedAws(SimulatorOptions.Default, new FakeTimeProvider());
        var instances = aws.Fleet.LaunchMany(6, InstanceSpec.Tagged("IPSec", "todo"));
        var nlb = aws.Fleet.AddManagedInterface("network_load_balancer", "ELB net/web/50dc6c495c0c9188");
        var rds = aws.Fleet.AddManagedInterface("interface", "RDSNetworkInterface");
        aws.Fleet.CreateVpc("10.1.0.0/16");
        using var clients = new Clients(aws);

        var seen = new List<NetworkInterface>();
        string? token = null;
        var pages = 0;
        do
        {
            var page = await clients.Ec2.DescribeNetworkInterfacesAsync(new DescribeNetworkInterfacesRequest
            {
                Filters = [new Filter { Name = "vpc-id", Values = [aws.Fleet.DefaultVpc.VpcId] }],
                MaxResults = 5,
                NextToken = token,
            }, Ct);
            seen.AddRange(page.NetworkInterfaces);
            token = page.NextToken;
            pages++;
        }
        while (token is not null);

        Assert.Equal(2, pages);
        Assert.Equal(8, seen.Count);
        var lb = seen.Single(n => n.NetworkInterfaceId == nlb.NetworkInterfaceId);
        Assert.Equal("network_load_balancer", lb.InterfaceType.Value);
        Assert.False(lb.RequesterManaged);
        Assert.Null(lb.Attachment);
        Assert.Equal(nlb.PrivateIpAddress, lb.PrivateIpAddresses.Single().PrivateIpAddress);
        var db = seen.Single(n => n.NetworkInterfaceId == rds.NetworkInterfaceId);
        Assert.Equal(("interface", true, "RDSNetworkInterface"), (db.InterfaceType.Value, db.RequesterManaged ?? false, db.Description));
        var first = seen.Single(n => n.Attachment?.InstanceId == instances[0].InstanceId);
        Assert.Equal(instances[0].PrivateIpAddress, first.PrivateIpAddress);
        Assert.False(first.RequesterManaged);

        var managedOnly = await clients.Ec2.DescribeNetworkInterfacesAsync(new DescribeNetworkInterfacesRequest
        {
            Filters = [new Filter { Name = "requester-managed", Values = ["true"] }],
        }, Ct);
        Assert.Equal([rds.NetworkInterfaceId], managedOnly.NetworkInterfaces.Select(n => n.NetworkInterfaceId));
    }

    [Fact]
    public async Task DescribeNetworkAcls_by_subnet_lists_the_entries_with_the_default_deny()
    {
        await using var aws = new SimulatedAws(SimulatorOptions.Default, new FakeTimeProvider());
        var vpc = aws.Fleet.DefaultVpc;
        using var clients = new Clients(aws);

        var defaults = await clients.Ec2.DescribeNetworkAclsAsync(new DescribeNetworkAclsRequest
        {
            Filters = [new Filter { Name = "association.subnet-id", Values = [vpc.SubnetId] }],
        }, Ct);
        var acl = Assert.Single(defaults.NetworkAcls);
        Assert.True(acl.IsDefault);
        Assert.Equal(vpc.SubnetId, Assert.Single(acl.Associations).SubnetId);
        Assert.Contains(acl.Entries, e => e.RuleNumber == 32767 && e.RuleAction.Value == "deny" && e.Egress == true && e.CidrBlock == "0.0.0.0/0");
        Assert.Contains(acl.Entries, e => e.RuleNumber == 101 && e.RuleAction.Value == "allow" && e.Egress == false && e.Ipv6CidrBlock == "::/0");

        var custom = aws.Fleet.ReplaceSubnetAcl(vpc.SubnetId, [SimNetworkAclEntry.Deny(90, egress: false, "17", "10.0.0.0/8", 4500, 4500)]);
        var replaced = await clients.Ec2.DescribeNetworkAclsAsync(new DescribeNetworkAclsRequest
        {
            Filters = [new Filter { Name = "association.subnet-id", Values = [vpc.SubnetId] }],
        }, Ct);
        var entry = Assert.Single(replaced.NetworkAcls).Entries.First(e => e.RuleNumber == 90);
        Assert.Equal(custom.NetworkAclId, replaced.NetworkAcls[0].NetworkAclId);
        Assert.Equal(("17", 4500, 4500, false), (entry.Protocol, entry.PortRange.From, entry.PortRange.To, entry.Egress ?? true));

        var bad = await Assert.ThrowsAsync<Amazon.EC2.AmazonEC2Exception>(() => clients.Ec2.DescribeNetworkAclsAsync(new DescribeNetworkAclsRequest
        {
            Filters = [new Filter { Name = "subnet", Values = [vpc.SubnetId] }],
        }, Ct));
        Assert.Equal("InvalidParameterValue", bad.ErrorCode);
    }

    [Fact]
    public async Task DescribeVpcs_reports_the_ipv4_and_ipv6_block_associations()
    {
        await using var aws = new SimulatedAws(SimulatorOptions.Default, new FakeTimeProvider());
        var vpc = aws.Fleet.DefaultVpc;
        using var clients = new Clients(aws);

        var described = Assert.Single((await clients.Ec2.DescribeVpcsAsync(new DescribeVpcsRequest { VpcIds = [vpc.VpcId] }, Ct)).Vpcs);

        Assert.Equal(vpc.CidrBlock, Assert.Single(described.CidrBlockAssociationSet).CidrBlock);
        var v6 = Assert.Single(described.Ipv6CidrBlockAssociationSet);
        Assert.Equal((vpc.Ipv6CidrBlock, "associated"), (v6.Ipv6CidrBlock, v6.Ipv6CidrBlockState.State.Value));
        var missing = await Assert.ThrowsAsync<Amazon.EC2.AmazonEC2Exception>(() => clients.Ec2.DescribeVpcsAsync(new DescribeVpcsRequest { VpcIds = ["vpc-0000000000000000f"] }, Ct));
        Assert.Equal("InvalidVpcID.NotFound", missing.ErrorCode);
    }

    [Fact]
    public async Task Saved_state_keeps_managed_interfaces_and_network_acls()
    {
        var path = Path.Combine(Path.GetTempPath(), $"ipsec-mesh-state-{Guid.NewGuid():N}.json");
        try
        {
            string aclId, eniId;
            await using (var aws = new SimulatedAws(SimulatorOptions.Default, new FakeTimeProvider()))
            {
                eniId = aws.Fleet.AddManagedInterface("vpc_endpoint", "VPC Endpoint Interface vpce-0abc", requesterManaged: true).NetworkInterfaceId;
                aclId = aws.Fleet.ReplaceSubnetAcl(aws.Fleet.DefaultVpc.SubnetId, [SimNetworkAclEntry.Deny(90, egress: true, "50", "0.0.0.0/0")]).NetworkAclId;
                aws.Save(path);
            }
            await using var restored = SimulatedAws.Restore(path, SimulatorOptions.Default, new FakeTimeProvider());

            Assert.Equal(eniId, Assert.Single(restored.Fleet.ManagedInterfaces).NetworkInterfaceId);
            var acl = restored.Fleet.AclOfSubnet(restored.Fleet.DefaultVpc.SubnetId);
            Assert.Equal((aclId, 90, "deny"), (acl.NetworkAclId, acl.Entries.Single().RuleNumber, acl.Entries.Single().RuleAction));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
