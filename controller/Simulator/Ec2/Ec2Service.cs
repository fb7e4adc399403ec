using System.Text;
using System.Xml.Linq;
using IpsecMesh.Simulator.Wire;
using static IpsecMesh.Simulator.Ec2.Ec2Xml;

namespace IpsecMesh.Simulator.Ec2;

/// <summary>EC2 over the query protocol: form-encoded POST bodies, XML answers, XML errors.</summary>
internal sealed class Ec2Service(Fleet fleet, SimulatorOptions options) : IAwsService
{
    private const int MaxTagResources = 1000;
    private const int MaxTagsPerResource = 50;
    private const int MaxRunInstances = 100;

    public string Name => "ec2";

    public string OperationOf(SimRequest request) =>
        Form(request)["Action"] ?? throw new AwsServiceException(400, "MissingAction", "The request must contain the parameter Action");

    public Task<SimResponse> HandleAsync(string operation, SimRequest request, CancellationToken cancellationToken)
    {
        var args = Form(request);
        var body = operation switch
        {
            "DescribeInstances" => DescribeInstances(args),
            "DescribeSecurityGroups" => DescribeSecurityGroups(args),
            "CreateTags" => ChangeTags(args, remove: false),
            "DeleteTags" => ChangeTags(args, remove: true),
            "DescribeTags" => Ec2Tags.Describe(fleet, args),
            "RunInstances" => RunInstances(args),
            "TerminateInstances" => ChangeStates(args, fleet.Terminate),
            "StopInstances" => ChangeStates(args, fleet.Stop),
            "StartInstances" => ChangeStates(args, fleet.Start),
            "DescribeImages" => [Set("imagesSet", [Ec2Images.Default(options.Region)])],
            "DescribeVpcs" => Ec2Network.DescribeVpcs(fleet, args, options.AccountId),
            "DescribeNetworkInterfaces" => Ec2Network.DescribeNetworkInterfaces(fleet, args, options.AccountId, options.Region + "a"),
            "DescribeNetworkAcls" => Ec2Network.DescribeNetworkAcls(fleet, args, options.AccountId),
            "DescribeSubnets" => [Set("subnetSet", fleet.Vpcs.Select(v => Item(E("subnetId", v.SubnetId), E("vpcId", v.VpcId), E("cidrBlock", v.CidrBlock),
                E("state", "available"), E("availabilityZone", options.Region + "a"))))],
            _ => throw new AwsServiceException(400, "InvalidAction", $"The action {operation} is not valid for this web service."),
        };
        var document = new XElement(Ns + operation + "Response", E("requestId", request.RequestId), body);
        return Task.FromResult(Xml(200, document.ToString(SaveOptions.DisableFormatting)));
    }

    public SimResponse FormatError(AwsServiceException error, SimRequest request)
    {
        var document = new XElement("Response",
            new XElement("Errors", new XElement("Error", new XElement("Code", error.Code), new XElement("Message", error.Message))),
            new XElement("RequestID", request.RequestId));
        return Xml(error.Status, document.ToString(SaveOptions.DisableFormatting));
    }

    public AwsServiceException Throttled() => new(503, "RequestLimitExceeded", "Request limit exceeded.");

    public AwsServiceException InternalError() => new(500, "InternalError", "An internal error has occurred.");

    private static QueryArgs Form(SimRequest request) =>
        new(FormDecoder.Decode(request.Body.Length > 0 ? Encoding.UTF8.GetString(request.Body) : request.RawQuery));

    private static SimResponse Xml(int status, string xml) =>
        new() { Status = status, ContentType = "text/xml;charset=UTF-8", Body = Encoding.UTF8.GetBytes(xml) };

    private object[] DescribeInstances(QueryArgs args)
    {
        var ids = args.List("InstanceId");
        var filters = args.Filters();
        var maxResults = args.Int("MaxResults");
        if (maxResults is not null && ids.Count > 0)
            throw Ec2Errors.InvalidParameterCombination("The parameter instancesSet cannot be used with the parameter maxResults");
        if (maxResults is < 5 or > 1000)
            throw Ec2Errors.InvalidParameterValue($"Value ( {maxResults} ) for parameter maxResults is invalid. Expecting a value between 5 and 1000.");
        var after = PageToken.Decode("instances", args["NextToken"]);
        lock (fleet.Sync)
        {
            var all = fleet.Instances;
            if (ids.Count > 0)
            {
                foreach (var id in ids)
                    if (!id.StartsWith("i-", StringComparison.Ordinal)) throw Ec2Errors.MalformedInstanceId(id);
                var missing = ids.Where(id => fleet.TryGet(id) is null).ToArray();
                if (missing.Length > 0) throw Ec2Errors.InstanceNotFound(missing);
            }
            var matching = all
                .Where(i => i.LaunchIndex > after)
                .Where(i => ids.Count == 0 || ids.Contains(i.InstanceId))
                .Where(i => filters.All(f => MatchesInstance(i, f.Name, f.Values)));
            var page = (maxResults is { } max ? matching.Take(max + 1) : matching).ToList();
            string? next = null;
            if (maxResults is { } limit && page.Count > limit)
            {
                page.RemoveAt(limit);
                next = PageToken.Encode("instances", page[^1].LaunchIndex);
            }
            return
            [
                Set("reservationSet", page.Select(i => InstanceXml.Reservation(i, fleet, options.AccountId, options.Region))),
                next is null ? null! : E("nextToken", next),
            ];
        }
    }

    private bool MatchesInstance(SimInstance i, string filter, IReadOnlyList<string> values)
    {
        var live = i.CurrentState != InstanceState.Terminated;
        if (filter.StartsWith("tag:", StringComparison.Ordinal))
            return i.TagMap.TryGetValue(filter[4..], out var tagValue) && FilterMatcher.AnyMatches(values, [tagValue]);
        return filter switch
        {
            "tag-key" => FilterMatcher.AnyMatches(values, i.TagMap.Keys),
            "tag-value" => FilterMatcher.AnyMatches(values, i.TagMap.Values),
            "instance-state-name" => FilterMatcher.AnyMatches(values, [i.CurrentState.WireName()]),
            "instance-state-code" => FilterMatcher.AnyMatches(values, [i.CurrentState.Code().ToString()]),
            "instance-id" => FilterMatcher.AnyMatches(values, [i.InstanceId]),
            // A terminated instance has released its interfaces: EC2 reports no VPC, subnet, address or name for it, and no filter on them matches it.
            "vpc-id" => live && FilterMatcher.AnyMatches(values, [i.VpcId]),
            "subnet-id" => live && FilterMatcher.AnyMatches(values, [i.SubnetId]),
            "private-ip-address" => live && FilterMatcher.AnyMatches(values, [i.Interfaces[0].PrivateIps[0]]),
            "network-interface.addresses.private-ip-address" => live && FilterMatcher.AnyMatches(values, i.Interfaces.SelectMany(n => n.PrivateIps)),
            "private-dns-name" => live && FilterMatcher.AnyMatches(values, [fleet.DnsNameOf(i.Interfaces[0].PrivateIps[0])]),
            "instance.group-id" or "group-id" => FilterMatcher.AnyMatches(values, i.GroupIds),
            _ => throw Ec2Errors.InvalidParameterValue($"The filter '{filter}' is invalid"),
        };
    }

    private object[] DescribeSecurityGroups(QueryArgs args)
    {
        var ids = args.List("GroupId");
        var names = args.List("GroupName");
        var filters = args.Filters();
        var maxResults = args.Int("MaxResults");
        if (maxResults is not null && (ids.Count > 0 || names.Count > 0))
            throw Ec2Errors.InvalidParameterCombination("The parameter groupId cannot be used with the parameter maxResults");
        if (maxResults is < 5 or > 1000)
            throw Ec2Errors.InvalidParameterValue($"Value ( {maxResults} ) for parameter maxResults is invalid. Expecting a value between 5 and 1000.");
        var after = PageToken.Decode("groups", args["NextToken"]);
        var groups = fleet.SecurityGroups.OrderBy(g => g.GroupId, StringComparer.Ordinal).ToList();
        foreach (var id in ids)
            if (groups.All(g => g.GroupId != id)) throw Ec2Errors.GroupNotFound(id);
        var matching = groups
            .Select((g, index) => (Group: g, Index: index))
            .Where(p => p.Index > after)
            .Where(p => ids.Count == 0 || ids.Contains(p.Group.GroupId))
            .Where(p => names.Count == 0 || names.Contains(p.Group.GroupName))
            .Where(p => filters.All(f => f.Name switch
            {
                "group-id" => FilterMatcher.AnyMatches(f.Values, [p.Group.GroupId]),
                "group-name" => FilterMatcher.AnyMatches(f.Values, [p.Group.GroupName]),
                "vpc-id" => FilterMatcher.AnyMatches(f.Values, [p.Group.VpcId]),
                _ => throw Ec2Errors.InvalidParameterValue($"The filter '{f.Name}' is invalid"),
            }));
        var page = (maxResults is { } max ? matching.Take(max + 1) : matching).ToList();
        string? next = null;
        if (maxResults is { } limit && page.Count > limit)
        {
            page.RemoveAt(limit);
            next = PageToken.Encode("groups", page[^1].Index);
        }
        return
        [
            Set("securityGroupInfo", page.Select(p => SecurityGroupXml.Group(p.Group))),
            next is null ? null! : E("nextToken", next),
        ];
    }

    /// <summary>
    /// RunInstances as far as `aws ec2 run-instances` needs: MinCount..MaxCount instances (at most 100 a call) of any image
    /// and type, each with a virtual host, in the default VPC (or the VPC of SubnetId), with TagSpecification tags.
    /// </summary>
    private object[] RunInstances(QueryArgs args)
    {
        var min = args.Int("MinCount") ?? throw new AwsServiceException(400, "MissingParameter", "The request must contain the parameter MinCount");
        var max = args.Int("MaxCount") ?? throw new AwsServiceException(400, "MissingParameter", "The request must contain the parameter MaxCount");
        if (min < 1 || max < min) throw Ec2Errors.InvalidParameterValue("MinCount must be at least 1 and at most MaxCount");
        var count = Math.Min(max, MaxRunInstances);
        if (count < min) throw new AwsServiceException(400, "InstanceLimitExceeded", $"You have requested more instances ({min}) than the simulator launches in one call ({MaxRunInstances})");
        var imageId = args["ImageId"] ?? throw new AwsServiceException(400, "MissingParameter", "The request must contain the parameter ImageId");
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var n = 1; args[$"TagSpecification.{n}.ResourceType"] is { } resourceType; n++)
        {
            if (resourceType != "instance") continue;
            for (var t = 1; args[$"TagSpecification.{n}.Tag.{t}.Key"] is { } key; t++)
            {
                if (key.StartsWith("aws:", StringComparison.OrdinalIgnoreCase)) throw Ec2Errors.InvalidParameterValue("Tag keys starting with 'aws:' are reserved for internal use");
                tags[key] = args[$"TagSpecification.{n}.Tag.{t}.Value"] ?? "";
            }
        }
        var vpcId = args["SubnetId"] is { } subnetId
            ? fleet.Vpcs.FirstOrDefault(v => v.SubnetId == subnetId)?.VpcId ?? throw new AwsServiceException(400, "InvalidSubnetID.NotFound", $"The subnet ID '{subnetId}' does not exist")
            : null;
        var groups = args.List("SecurityGroupId");
        foreach (var group in groups)
            if (fleet.SecurityGroups.All(g => g.GroupId != group)) throw Ec2Errors.GroupNotFound(group);
        var spec = new InstanceSpec
        {
            Tags = tags,
            VpcId = vpcId,
            SecurityGroupIds = groups.Count > 0 ? groups : null,
            ImageId = imageId,
            InstanceType = args["InstanceType"] ?? "m1.small",
        };
        var launched = fleet.LaunchMany(count, spec);
        lock (fleet.Sync)
        {
            return
            [
                E("reservationId", launched[0].ReservationId),
                E("ownerId", options.AccountId),
                E("groupSet"),
                E("instancesSet", launched.Select(i => InstanceXml.Reservation(i, fleet, options.AccountId, options.Region).Element(Ns + "instancesSet")!.Elements())),
            ];
        }
    }

    /// <summary>TerminateInstances, StopInstances, StartInstances: each instance's previous and current state.</summary>
    private object[] ChangeStates(QueryArgs args, Action<string> change)
    {
        var ids = args.List("InstanceId");
        if (ids.Count == 0) throw new AwsServiceException(400, "MissingParameter", "The request must contain the parameter InstanceId");
        var missing = ids.Where(id => fleet.TryGet(id) is null).ToArray();
        if (missing.Length > 0) throw Ec2Errors.InstanceNotFound(missing);
        var items = new List<XElement>();
        foreach (var id in ids)
        {
            var before = fleet.Get(id).State;
            if (before == InstanceState.Terminated && change == fleet.Terminate) change = _ => { };
            try
            {
                change(id);
            }
            catch (InvalidOperationException e)
            {
                throw new AwsServiceException(400, "IncorrectInstanceState", e.Message);
            }
            var after = fleet.Get(id).State;
            items.Add(Item(E("instanceId", id),
                E("currentState", E("code", after.Code()), E("name", after.WireName())),
                E("previousState", E("code", before.Code()), E("name", before.WireName()))));
        }
        return [Set("instancesSet", items)];
    }

    private object[] ChangeTags(QueryArgs args, bool remove)
    {
        var ids = args.List("ResourceId");
        var tags = args.Tags();
        if (ids.Count == 0) throw new AwsServiceException(400, "MissingParameter", "The request must contain the parameter resourceIdSet");
        if (ids.Count > MaxTagResources) throw Ec2Errors.InvalidParameterValue($"Too many resource IDs: at most {MaxTagResources} per request");
        if (!remove && tags.Count == 0) throw new AwsServiceException(400, "MissingParameter", "The request must contain the parameter tagSet");
        foreach (var (key, value) in tags)
        {
            if (key.Length is < 1 or > 128) throw Ec2Errors.InvalidParameterValue($"Tag key exceeds the maximum length of 128 characters");
            if (value is { Length: > 256 }) throw Ec2Errors.InvalidParameterValue($"Tag value exceeds the maximum length of 256 characters");
            if (!remove && key.StartsWith("aws:", StringComparison.OrdinalIgnoreCase))
                throw Ec2Errors.InvalidParameterValue("Tag keys starting with 'aws:' are reserved for internal use");
        }
        foreach (var id in ids)
            if (!id.StartsWith("i-", StringComparison.Ordinal)) throw new AwsServiceException(400, "InvalidID", $"The ID '{id}' is not valid");
        // Checked and applied under the fleet's lock, inside Fleet.ApplyTags, which publishes the events after releasing it.
        fleet.ApplyTags(ids, remove ? tags : tags.Select(t => new KeyValuePair<string, string?>(t.Key, t.Value ?? "")).ToArray(), remove, instances =>
        {
            var missing = ids.Where((_, index) => instances[index] is null).ToArray();
            if (missing.Length > 0) throw Ec2Errors.InstanceNotFound(missing);
            if (remove) return;
            foreach (var instance in instances)
                if (instance!.TagMap.Keys.Union(tags.Select(t => t.Key)).Count() > MaxTagsPerResource)
                    throw new AwsServiceException(400, "TagLimitExceeded", $"The maximum number of tags per resource ({MaxTagsPerResource}) would be exceeded for {instance.InstanceId}");
        });
        return [E("return", "true")];
    }
}
