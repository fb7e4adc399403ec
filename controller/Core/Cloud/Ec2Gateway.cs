using System.Net;
using System.Runtime.CompilerServices;
using Amazon.EC2;
using Amazon.EC2.Model;
using IpsecMesh.Core.Model;
using IpsecMesh.Core.Options;
using IpsecMesh.Core.Telemetry;
using AclEntry = IpsecMesh.Core.Cloud.NetworkAclEntry;
using MeshAcl = IpsecMesh.Core.Cloud.NetworkAcl;

namespace IpsecMesh.Core.Cloud;

/// <summary>EC2 over the SDK: paginated, filtered DescribeInstances; reads by id and tag writes coalesced by <see cref="Batcher{TItem,TResult}"/>.</summary>
public sealed class Ec2Gateway : IEc2Gateway, IAsyncDisposable
{
    private const int DescribeByIdBatch = 200;
    private const int TagBatch = 1000;
    private static readonly string[] LiveStates = ["pending", "running", "stopping", "stopped"];

    private readonly IAmazonEC2 _ec2;
    private readonly IpsecMeshOptions _options;
    private readonly TimeProvider _time;
    private readonly Batcher<string, InstanceSnapshot?> _reads;
    private readonly Batcher<string, bool> _tagWrites;
    private readonly Batcher<string, bool> _tagDeletes;

    public Ec2Gateway(IAmazonEC2 ec2, IpsecMeshOptions options, TimeProvider time, TimeSpan window)
    {
        _ec2 = ec2;
        _options = options;
        _time = time;
        _reads = new Batcher<string, InstanceSnapshot?>(DescribeByIdBatch, window, time, DescribeByIdsAsync);
        _tagWrites = new Batcher<string, bool>(TagBatch, window, time, CreateTagsAsync);
        _tagDeletes = new Batcher<string, bool>(TagBatch, window, time, DeleteTagsAsync);
    }

    /// <summary>The client's region (set, or resolved by the SDK from the environment): part of every instance ARN.</summary>
    private string Region => _ec2.Config.RegionEndpoint?.SystemName ?? _options.Region
        ?? throw new InvalidOperationException("the EC2 client has no region (set IpsecMesh:Region or AWS_REGION), so instance ARNs cannot be built");

    public async IAsyncEnumerable<IReadOnlyList<InstanceSnapshot>> ListTaggedAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var filters = new List<Filter>
        {
            new() { Name = "tag-key", Values = [_options.TagKey] },
            new() { Name = "instance-state-name", Values = [.. LiveStates] },
        };
        if (!string.IsNullOrEmpty(_options.VpcId)) filters.Add(new Filter { Name = "vpc-id", Values = [_options.VpcId] });
        await foreach (var page in DescribePagesAsync(filters, cancellationToken)) yield return page;
    }

    /// <summary>Every page of a filtered DescribeInstances, 1,000 instances a call.</summary>
    private async IAsyncEnumerable<IReadOnlyList<InstanceSnapshot>> DescribePagesAsync(List<Filter> filters, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var region = Region;
        string? token = null;
        do
        {
            var request = new DescribeInstancesRequest { Filters = filters, MaxResults = 1000, NextToken = token };
            // Stamped with the time the request left: a page read before one of our tag writes finished is older than that write.
            var now = _time.GetUtcNow();
            var response = await _ec2.DescribeInstancesAsync(request, cancellationToken);
            yield return (response.Reservations ?? [])
                .SelectMany(r => (r.Instances ?? []).Select(i => InstanceMapping.ToSnapshot(i, r.OwnerId, region, now)))
                .ToList();
            token = string.IsNullOrEmpty(response.NextToken) ? null : response.NextToken;
        }
        while (token is not null);
    }

    public Task<InstanceSnapshot?> DescribeAsync(string instanceId, CancellationToken cancellationToken) =>
        _reads.SubmitAsync("", instanceId, cancellationToken);

    public async Task SetTagsAsync(string instanceId, IReadOnlyDictionary<string, string> tags, IReadOnlyCollection<string> remove, CancellationToken cancellationToken)
    {
        if (remove.Count > 0) await _tagDeletes.SubmitAsync(TagBatchKey.Encode(remove.ToDictionary(k => k, _ => "")), instanceId, cancellationToken);
        if (tags.Count > 0) await _tagWrites.SubmitAsync(TagBatchKey.Encode(tags), instanceId, cancellationToken);
    }

    public async Task<IReadOnlyList<SecurityGroupRules>> DescribeSecurityGroupsAsync(IReadOnlyCollection<string> groupIds, CancellationToken cancellationToken)
    {
        if (groupIds.Count == 0) return [];
        var request = new DescribeSecurityGroupsRequest { GroupIds = [.. groupIds] };
        var response = await _ec2.DescribeSecurityGroupsAsync(request, cancellationToken);
        return (response.SecurityGroups ?? []).Select(ToRules).ToList();
    }

    public async IAsyncEnumerable<IReadOnlyList<NetworkInterfaceFact>> ListNetworkInterfacesAsync(IReadOnlyCollection<string> vpcIds, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (vpcIds.Count == 0) yield break;
        string? token = null;
        do
        {
            var request = new DescribeNetworkInterfacesRequest
            {
                Filters = [new Filter { Name = "vpc-id", Values = [.. vpcIds] }],
                MaxResults = 1000,
                NextToken = token,
            };
            var response = await _ec2.DescribeNetworkInterfacesAsync(request, cancellationToken);
            yield return (response.NetworkInterfaces ?? []).Select(ToFact).ToList();
            token = string.IsNullOrEmpty(response.NextToken) ? null : response.NextToken;
        }
        while (token is not null);
    }

    public async Task<IReadOnlyList<VpcRanges>> DescribeVpcsAsync(IReadOnlyCollection<string> vpcIds, CancellationToken cancellationToken)
    {
        if (vpcIds.Count == 0) return [];
        var request = new DescribeVpcsRequest { VpcIds = [.. vpcIds] };
        var response = await _ec2.DescribeVpcsAsync(request, cancellationToken);
        return (response.Vpcs ?? []).Select(v => new VpcRanges(v.VpcId,
        [
            .. (v.CidrBlockAssociationSet ?? []).Where(a => a.CidrBlockState?.State?.Value is null or "associated").Select(a => a.CidrBlock)
                .Concat((v.Ipv6CidrBlockAssociationSet ?? []).Where(a => a.Ipv6CidrBlockState?.State?.Value is null or "associated").Select(a => a.Ipv6CidrBlock))
                .Append(v.CidrBlock)
                .Where(c => c is not null && IPNetwork.TryParse(c, out _)).Select(c => IPNetwork.Parse(c!)).Distinct(),
        ])).ToList();
    }

    public async Task<IReadOnlyList<MeshAcl>> DescribeNetworkAclsAsync(IReadOnlyCollection<string> subnetIds, CancellationToken cancellationToken)
    {
        if (subnetIds.Count == 0) return [];
        var request = new DescribeNetworkAclsRequest { Filters = [new Filter { Name = "association.subnet-id", Values = [.. subnetIds] }] };
        var response = await _ec2.DescribeNetworkAclsAsync(request, cancellationToken);
        return (response.NetworkAcls ?? []).Select(a => new MeshAcl(
            a.NetworkAclId,
            a.VpcId ?? "",
            [.. (a.Associations ?? []).Select(x => x.SubnetId).Where(id => id is not null)],
            [.. (a.Entries ?? []).Select(ToEntry).OfType<AclEntry>()])).ToList();
    }

    private static AclEntry? ToEntry(Amazon.EC2.Model.NetworkAclEntry e)
    {
        var cidr = e.CidrBlock ?? e.Ipv6CidrBlock;
        if (cidr is null || !IPNetwork.TryParse(cidr, out var network) || e.RuleNumber is not { } number) return null;
        return new AclEntry(number, e.Egress == true, e.Protocol ?? "-1", e.RuleAction?.Value == "allow", network, e.PortRange?.From, e.PortRange?.To);
    }

    private static NetworkInterfaceFact ToFact(NetworkInterface n)
    {
        var addresses = new List<IPAddress>();
        foreach (var text in (n.PrivateIpAddresses ?? []).Select(p => p.PrivateIpAddress).Append(n.PrivateIpAddress)
                     .Concat((n.Ipv6Addresses ?? []).Select(p => p.Ipv6Address)))
            if (IPAddress.TryParse(text, out var ip) && !addresses.Contains(ip)) addresses.Add(ip);
        return new NetworkInterfaceFact(n.NetworkInterfaceId, n.InterfaceType?.Value ?? "interface", n.Description ?? "", n.RequesterManaged == true,
            n.Attachment?.InstanceId, n.VpcId ?? "", n.SubnetId ?? "", addresses);
    }

    private async Task<IReadOnlyDictionary<string, InstanceSnapshot?>> DescribeByIdsAsync(string _, IReadOnlyList<string> ids, CancellationToken cancellationToken)
    {
        var found = new Dictionary<string, InstanceSnapshot?>(StringComparer.Ordinal);
        foreach (var id in ids) found[id] = null;
        // A filter, not InstanceIds: an unknown id then means "absent", not an error for the whole batch.
        await foreach (var page in DescribePagesAsync([new Filter { Name = "instance-id", Values = [.. ids] }], cancellationToken))
            foreach (var snapshot in page) found[snapshot.InstanceId] = snapshot;
        return found;
    }

    private async Task<IReadOnlyDictionary<string, bool>> CreateTagsAsync(string group, IReadOnlyList<string> ids, CancellationToken cancellationToken)
    {
        var request = new CreateTagsRequest { Resources = [.. ids], Tags = TagBatchKey.Decode(group).Select(t => new Tag(t.Key, t.Value)).ToList() };
        await _ec2.CreateTagsAsync(request, cancellationToken);
        return ids.ToDictionary(id => id, _ => true);
    }

    private async Task<IReadOnlyDictionary<string, bool>> DeleteTagsAsync(string group, IReadOnlyList<string> ids, CancellationToken cancellationToken)
    {
        var request = new DeleteTagsRequest { Resources = [.. ids], Tags = TagBatchKey.Decode(group).Select(t => new Tag { Key = t.Key }).ToList() };
        await _ec2.DeleteTagsAsync(request, cancellationToken);
        return ids.ToDictionary(id => id, _ => true);
    }

    private static SecurityGroupRules ToRules(SecurityGroup group) =>
        new(group.GroupId, (group.IpPermissions ?? []).Select(ToRule).ToList()) { Egress = (group.IpPermissionsEgress ?? []).Select(ToRule).ToList() };

    private static IngressRule ToRule(IpPermission p) => new(
        p.IpProtocol ?? "-1",
        p.FromPort,
        p.ToPort,
        [.. (p.Ipv4Ranges ?? []).Select(r => r.CidrIp).Concat((p.Ipv6Ranges ?? []).Select(r => r.CidrIpv6))
            .Where(c => c is not null && IPNetwork.TryParse(c, out _)).Select(c => IPNetwork.Parse(c!))],
        [.. (p.UserIdGroupPairs ?? []).Select(g => g.GroupId).Where(id => id is not null)]);

    public async ValueTask DisposeAsync()
    {
        await _reads.DisposeAsync();
        await _tagWrites.DisposeAsync();
        await _tagDeletes.DisposeAsync();
    }
}
