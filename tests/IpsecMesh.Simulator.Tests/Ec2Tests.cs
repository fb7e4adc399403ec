using Amazon.EC2;
using Amazon.EC2.Model;
using Microsoft.Extensions.Time.Testing;
using Filter = Amazon.EC2.Model.Filter;

namespace IpsecMesh.Simulator.Tests;

public class Ec2Tests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task DescribeInstances_pages_through_every_instance_with_NextToken()
    {
        await using var aws = new SimulatedAws(SimulatorOptions.Default, new FakeTimeProvider());
        var launched = aws.Fleet.LaunchMany(12, InstanceSpec.Tagged("IPSec", "todo")).Select(i => i.InstanceId).ToHashSet();
        using var clients = new Clients(aws);

        var seen = new List<string>();
        string? token = null;
        var pages = 0;
        do
        {
            var page = await clients.Ec2.DescribeInstancesAsync(new DescribeInstancesRequest { MaxResults = 5, NextToken = token }, Ct);
            seen.AddRange(page.Reservations.SelectMany(r => r.Instances).Select(i => i.InstanceId));
            token = page.NextToken;
            pages++;
        }
        while (token is not null);

        Assert.Equal(3, pages);
        Assert.Equal(launched, seen.ToHashSet());
        Assert.Equal(12, seen.Count);
    }

    [Fact]
    public async Task DescribeInstances_filters_by_tag_state_and_vpc()
    {
        await using var aws = new SimulatedAws(SimulatorOptions.Default, new FakeTimeProvider());
        var otherVpc = aws.Fleet.CreateVpc("10.1.0.0/16");
        var todo = aws.Fleet.Launch(InstanceSpec.Tagged("IPSec", "todo"));
        var enabled = aws.Fleet.Launch(InstanceSpec.Tagged("IPSec", "enabled"));
        var stopped = aws.Fleet.Launch(InstanceSpec.Tagged("IPSec", "todo"));
        aws.Fleet.Stop(stopped.InstanceId);
        var elsewhere = aws.Fleet.Launch(InstanceSpec.Tagged("IPSec", "todo") with { VpcId = otherVpc.VpcId });
        aws.Fleet.Launch(new InstanceSpec());
        using var clients = new Clients(aws);

        async Task<string[]> Ids(params Filter[] filters) =>
            (await clients.Ec2.DescribeInstancesAsync(new DescribeInstancesRequest { Filters = [.. filters] }, Ct))
                .Reservations.SelectMany(r => r.Instances).Select(i => i.InstanceId).Order().ToArray();

        Assert.Equal(new[] { todo.InstanceId, enabled.InstanceId, stopped.InstanceId, elsewhere.InstanceId }.Order(), await Ids(new Filter("tag-key", ["IPSec"])));
        Assert.Equal(new[] { todo.InstanceId, elsewhere.InstanceId }.Order(),
            await Ids(new Filter("tag:IPSec", ["todo"]), new Filter("instance-state-name", ["running"])));
        Assert.Equal([elsewhere.InstanceId], await Ids(new Filter("vpc-id", [otherVpc.VpcId]), new Filter("tag-key", ["IPSec"])));
        Assert.Equal([enabled.InstanceId], await Ids(new Filter("instance-id", [enabled.InstanceId])));
        Assert.Equal(new[] { todo.InstanceId, enabled.InstanceId }.Order(), await Ids(new Filter("tag:IPSec", ["*o*", "enabled"]), new Filter("vpc-id", [aws.Fleet.DefaultVpc.VpcId]), new Filter("instance-state-name", ["running"])));
    }

    [Fact]
    public async Task DescribeInstances_reports_every_interface_address_and_dns_name()
    {
        await using var aws = new SimulatedAws(SimulatorOptions.Default, new FakeTimeProvider());
        var sim = aws.Fleet.Launch(new InstanceSpec { SecondaryPrivateIpCount = 2, Ipv6 = true, ExtraNetworkInterfaces = 1 });
        using var clients = new Clients(aws);

        var instance = (await clients.Ec2.DescribeInstancesAsync(new DescribeInstancesRequest { InstanceIds = [sim.InstanceId] }, Ct))
            .Reservations.Single().Instances.Single();

        Assert.Equal(sim.PrivateIpAddress, instance.PrivateIpAddress);
        Assert.Equal($"ip-{sim.PrivateIpAddress.Replace('.', '-')}.ec2.internal", instance.PrivateDnsName);
        Assert.Equal(aws.Fleet.DefaultVpc.VpcId, instance.VpcId);
        Assert.Equal("running", instance.State.Name.Value);
        Assert.Equal(2, instance.NetworkInterfaces.Count);
        var primary = instance.NetworkInterfaces.Single(n => n.Attachment.DeviceIndex == 0);
        Assert.Equal(3, primary.PrivateIpAddresses.Count);
        Assert.True(primary.PrivateIpAddresses[0].Primary);
        Assert.All(primary.PrivateIpAddresses, a => Assert.Equal($"ip-{a.PrivateIpAddress.Replace('.', '-')}.ec2.internal", a.PrivateDnsName));
        Assert.Single(primary.Ipv6Addresses);
        Assert.Equal(sim.AllPrivateIps.Order(), instance.NetworkInterfaces.SelectMany(n => n.PrivateIpAddresses.Select(a => a.PrivateIpAddress).Concat(n.Ipv6Addresses.Select(a => a.Ipv6Address))).Order());
        Assert.Equal(aws.Fleet.DefaultVpc.DefaultSecurityGroupId, instance.SecurityGroups.Single().GroupId);
    }

    [Fact]
    public async Task Unknown_instance_id_is_InvalidInstanceID_NotFound()
    {
        await using var aws = new SimulatedAws(SimulatorOptions.Default, new FakeTimeProvider());
        using var clients = new Clients(aws);

        var error = await Assert.ThrowsAsync<AmazonEC2Exception>(() =>
            clients.Ec2.DescribeInstancesAsync(new DescribeInstancesRequest { InstanceIds = ["i-0123456789abcdef0"] }, Ct));

        Assert.Equal("InvalidInstanceID.NotFound", error.ErrorCode);
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, error.StatusCode);
        Assert.Equal(1, aws.Calls["ec2:DescribeInstances"].Error);
    }

    [Fact]
    public async Task MaxResults_outside_5_to_1000_is_rejected()
    {
        await using var aws = new SimulatedAws(SimulatorOptions.Default, new FakeTimeProvider());
        using var clients = new Clients(aws);

        var error = await Assert.ThrowsAsync<AmazonEC2Exception>(() =>
            clients.Ec2.DescribeInstancesAsync(new DescribeInstancesRequest { MaxResults = 2000 }, Ct));

        Assert.Equal("InvalidParameterValue", error.ErrorCode);
    }

    [Fact]
    public async Task CreateTags_and_DeleteTags_change_many_instances_at_once()
    {
        await using var aws = new SimulatedAws(SimulatorOptions.Default, new FakeTimeProvider());
        var ids = aws.Fleet.LaunchMany(3, InstanceSpec.Tagged("IPSec", "todo")).Select(i => i.InstanceId).ToList();
        using var clients = new Clients(aws);

        await clients.Ec2.CreateTagsAsync(new CreateTagsRequest { Resources = ids, Tags = [new Tag("IPSec", "enabled"), new Tag("IPSec:Status", "enrolled")] }, Ct);
        Assert.All(ids, id => Assert.Equal("enabled", aws.Fleet.Get(id).Tag("IPSec")));
        Assert.All(ids, id => Assert.Equal("enrolled", aws.Fleet.Get(id).Tag("IPSec:Status")));

        await clients.Ec2.DeleteTagsAsync(new DeleteTagsRequest { Resources = ids, Tags = [new Tag { Key = "IPSec:Status" }] }, Ct);
        Assert.All(ids, id => Assert.Null(aws.Fleet.Get(id).Tag("IPSec:Status")));
    }

    [Fact]
    public async Task CreateTags_rejects_a_value_longer_than_256_characters()
    {
        await using var aws = new SimulatedAws(SimulatorOptions.Default, new FakeTimeProvider());
        var id = aws.Fleet.Launch(new InstanceSpec()).InstanceId;
        using var clients = new Clients(aws);

        var error = await Assert.ThrowsAsync<AmazonEC2Exception>(() =>
            clients.Ec2.CreateTagsAsync(new CreateTagsRequest { Resources = [id], Tags = [new Tag("IPSec:Status", new string('x', 257))] }, Ct));

        Assert.Equal("InvalidParameterValue", error.ErrorCode);
        Assert.Null(aws.Fleet.Get(id).Tag("IPSec:Status"));
    }

    [Fact]
    public async Task DescribeSecurityGroups_reports_ingress_rules_with_protocols_ports_cidrs_and_groups()
    {
        await using var aws = new SimulatedAws(SimulatorOptions.Default, new FakeTimeProvider());
        var vpc = aws.Fleet.DefaultVpc;
        var custom = aws.Fleet.AddSecurityGroup(vpc.VpcId, "peers", [new IngressRule("udp", 500, 500) { SourceGroupIds = [vpc.DefaultSecurityGroupId] }]);
        using var clients = new Clients(aws);

        var groups = (await clients.Ec2.DescribeSecurityGroupsAsync(new DescribeSecurityGroupsRequest { GroupIds = [vpc.DefaultSecurityGroupId, custom.GroupId] }, Ct)).SecurityGroups;

        var defaults = groups.Single(g => g.GroupId == vpc.DefaultSecurityGroupId);
        Assert.Equal(vpc.VpcId, defaults.VpcId);
        Assert.Contains(defaults.IpPermissions, p => p.IpProtocol == "udp" && p.FromPort == 500 && p.ToPort == 500 && p.Ipv4Ranges.Single().CidrIp == vpc.CidrBlock);
        Assert.Contains(defaults.IpPermissions, p => p.IpProtocol == "udp" && p.FromPort == 4500);
        Assert.Contains(defaults.IpPermissions, p => p.IpProtocol == "50" && p.Ipv4Ranges.Single().CidrIp == vpc.CidrBlock);
        var peers = groups.Single(g => g.GroupId == custom.GroupId);
        Assert.Equal(vpc.DefaultSecurityGroupId, peers.IpPermissions.Single().UserIdGroupPairs.Single().GroupId);
    }
}
