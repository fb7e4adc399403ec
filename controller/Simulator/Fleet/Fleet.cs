using System.Net;
using IpsecMesh.Simulator.Events;
using IpsecMesh.Simulator.Faults;
using IpsecMesh.Simulator.State;

namespace IpsecMesh.Simulator;

/// <summary>
/// The simulated EC2 estate: VPCs, security groups, instances with their ENIs, tags and SSM agents.
/// User actions (launch, tag, stop, start, terminate) go through here and emit the EventBridge
/// events AWS would send; the EC2 API changes the same state.
/// </summary>
public sealed partial class Fleet
{
    private readonly SimulatorOptions _options;
    private readonly TimeProvider _time;
    private readonly SeededRandom _random;
    private readonly Action<string> _publishEvent;
    private readonly List<SimInstance> _instances = [];
    private readonly Dictionary<string, SimInstance> _byId = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SecurityGroup> _groups = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SimVpc> _vpcs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, uint> _nextAddress = new(StringComparer.Ordinal);
    private readonly Dictionary<string, uint> _nextIpv6 = new(StringComparer.Ordinal);

    internal Lock Sync { get; } = new();

    /// <summary>Raised (outside the lock) when an instance's SSM agent availability may have changed.</summary>
    internal event Action<SimInstance>? AgentAvailabilityChanged;

    internal Fleet(SimulatorOptions options, TimeProvider time, SeededRandom random, Action<string> publishEvent)
    {
        _options = options;
        _time = time;
        _random = random;
        _publishEvent = publishEvent;
        // Like AWS's default VPC, which the default mesh policy covers.
        DefaultVpc = CreateVpc("172.31.0.0/16");
    }

    public SimVpc DefaultVpc { get; private set; }

    /// <summary>How the virtual hosts of instances launched without a runtime (RunInstances) behave.</summary>
    public VirtualHostOptions HostOptions { get; set; } = new();

    public IReadOnlyList<SimInstance> Instances { get { lock (Sync) return _instances.ToArray(); } }

    public IReadOnlyList<SecurityGroup> SecurityGroups { get { lock (Sync) return _groups.Values.ToArray(); } }

    public IReadOnlyList<SimVpc> Vpcs { get { lock (Sync) return _vpcs.Values.ToArray(); } }

    public SimInstance Get(string instanceId) =>
        TryGet(instanceId) ?? throw new KeyNotFoundException($"no simulated instance '{instanceId}'");

    public SimInstance? TryGet(string instanceId) { lock (Sync) return _byId.GetValueOrDefault(instanceId); }

    public SecurityGroup GetSecurityGroup(string groupId)
    {
        lock (Sync) return _groups.TryGetValue(groupId, out var g) ? g : throw new KeyNotFoundException($"no security group '{groupId}'");
    }

    /// <summary>A VPC (a /16 IPv4 CIDR) with one subnet and its default security group.</summary>
    public SimVpc CreateVpc(string cidrBlock)
    {
        var (network, prefix) = ParseCidr(cidrBlock);
        if (prefix > 24) throw new ArgumentException("a simulated VPC needs at least a /24", nameof(cidrBlock));
        lock (Sync)
        {
            var vpcId = "vpc-" + _random.Hex(17);
            var groupId = "sg-" + _random.Hex(17);
            var ipv6 = $"2600:1f18:{_vpcs.Count + 0x4a00:x4}:{_random.Next(0xffff):x4}::/56";
            var vpc = new SimVpc(vpcId, cidrBlock, "subnet-" + _random.Hex(17), groupId, ipv6);
            _vpcs[vpcId] = vpc;
            _nextAddress[vpcId] = network + 4;
            _nextIpv6[vpcId] = 0x10;
            _groups[groupId] = new SecurityGroup(groupId, "default", "default VPC security group", vpcId, _options.AccountId)
            {
                Ingress = [IngressRule.Udp(500, cidrBlock), IngressRule.Udp(4500, cidrBlock), IngressRule.Esp(cidrBlock)],
            };
            return vpc;
        }
    }

    public SecurityGroup AddSecurityGroup(string vpcId, string groupName, IEnumerable<IngressRule> ingress, string description = "simulated security group")
    {
        lock (Sync)
        {
            if (!_vpcs.ContainsKey(vpcId)) throw new KeyNotFoundException($"no VPC '{vpcId}'");
            var group = new SecurityGroup("sg-" + _random.Hex(17), groupName, description, vpcId, _options.AccountId) { Ingress = ingress.ToArray() };
            _groups[group.GroupId] = group;
            return group;
        }
    }

    /// <summary>Replaces a group's ingress rules (an operator editing the group).</summary>
    public void SetIngress(string groupId, IEnumerable<IngressRule> ingress)
    {
        lock (Sync) _groups[groupId] = GetSecurityGroup(groupId) with { Ingress = ingress.ToArray() };
    }

    /// <summary>Replaces a group's egress permissions (their CIDRs are destinations); null puts back AWS's default allow-all.</summary>
    public void SetEgress(string groupId, IEnumerable<IngressRule>? egress)
    {
        lock (Sync) _groups[groupId] = GetSecurityGroup(groupId) with { Egress = egress?.ToArray() };
    }

    public void SetSecurityGroups(string instanceId, IEnumerable<string> groupIds)
    {
        lock (Sync)
        {
            var instance = Get(instanceId);
            var ids = groupIds.ToArray();
            foreach (var id in ids) GetSecurityGroup(id);
            instance.GroupIds.Clear();
            instance.GroupIds.AddRange(ids);
        }
    }

    public SimInstance Launch(InstanceSpec spec)
    {
        var events = new List<string>();
        SimInstance instance;
        lock (Sync)
        {
            var vpc = spec.VpcId is null ? DefaultVpc : _vpcs.TryGetValue(spec.VpcId, out var v) ? v : throw new KeyNotFoundException($"no VPC '{spec.VpcId}'");
            var runtime = spec.Runtime ?? new VirtualHost(HostOptions with { Seed = unchecked(_options.Seed * 7919 + _instances.Count) });
            var now = _time.GetUtcNow();
            instance = new SimInstance(this, "i-" + _random.Hex(17), "r-" + _random.Hex(17), _instances.Count, spec, vpc, runtime, now);
            for (var device = 0; device <= spec.ExtraNetworkInterfaces; device++)
            {
                var eni = new SimNetworkInterface("eni-" + _random.Hex(17), device, vpc.SubnetId, vpc.VpcId, MacAddress());
                eni.PrivateIps.Add(NextAddress(vpc.VpcId));
                if (device == 0)
                    for (var i = 0; i < spec.SecondaryPrivateIpCount; i++) eni.PrivateIps.Add(NextAddress(vpc.VpcId));
                if (spec.Ipv6) eni.Ipv6s.Add(NextIpv6(vpc));
                instance.Interfaces.Add(eni);
            }
            instance.GroupIds.AddRange(spec.SecurityGroupIds ?? [vpc.DefaultSecurityGroupId]);
            foreach (var (key, value) in spec.Tags) instance.TagMap[key] = value;
            _instances.Add(instance);
            _byId[instance.InstanceId] = instance;
            if (_options.EmitLaunchEvents) events.Add(StateEvent(instance, InstanceState.Pending));
            instance.CurrentState = InstanceState.Running;
            ScheduleAgent(instance, now);
            if (_options.EmitLaunchEvents)
            {
                events.Add(StateEvent(instance, InstanceState.Running));
                if (spec.Tags.Count > 0) AddTagEvent(instance, spec.Tags.Keys, events);
            }
        }
        Publish(events, instance);
        return instance;
    }

    public IReadOnlyList<SimInstance> LaunchMany(int count, InstanceSpec spec) =>
        Enumerable.Range(0, count).Select(_ => Launch(spec)).ToArray();

    /// <summary>A user (or another tool) sets a tag.</summary>
    public void SetTag(string instanceId, string key, string value) =>
        ApplyTags([instanceId], [new KeyValuePair<string, string?>(key, value)], remove: false);

    /// <summary>A user (or another tool) deletes a tag.</summary>
    public void DeleteTag(string instanceId, string key) =>
        ApplyTags([instanceId], [new KeyValuePair<string, string?>(key, null)], remove: true);

    /// <summary>
    /// Sets or deletes tags on many instances (CreateTags / DeleteTags). On delete, a non-null value
    /// deletes the tag only when it has that value, as EC2 does.
    /// </summary>
    internal void ApplyTags(IReadOnlyList<string> instanceIds, IReadOnlyList<KeyValuePair<string, string?>> tags, bool remove,
        Action<IReadOnlyList<SimInstance?>>? validate = null)
    {
        var events = new List<string>();
        lock (Sync)
        {
            // The API's checks see the same state the change is made to; they throw before anything changes.
            validate?.Invoke(instanceIds.Select(id => _byId.GetValueOrDefault(id)).ToArray());
            foreach (var id in instanceIds)
            {
                var instance = Get(id);
                var changed = new List<string>();
                foreach (var (key, value) in tags)
                {
                    if (!remove)
                    {
                        instance.TagMap[key] = value ?? "";
                        changed.Add(key);
                    }
                    else if (instance.TagMap.TryGetValue(key, out var current) && (value is null || value == current))
                    {
                        instance.TagMap.Remove(key);
                        changed.Add(key);
                    }
                }
                if (changed.Count > 0) AddTagEvent(instance, changed, events);
            }
        }
        Publish(events, null);
    }

    public void Stop(string instanceId) => Transition(instanceId, InstanceState.Running, [InstanceState.Stopping, InstanceState.Stopped]);

    public void Start(string instanceId) => Transition(instanceId, InstanceState.Stopped, [InstanceState.Pending, InstanceState.Running]);

    public void Terminate(string instanceId) => Transition(instanceId, null, [InstanceState.ShuttingDown, InstanceState.Terminated]);

    /// <summary>Root on the instance stops its SSM agent: it stops answering pings and running commands until <see cref="StartAgent"/>.</summary>
    public void StopAgent(string instanceId)
    {
        SimInstance instance;
        lock (Sync)
        {
            instance = Get(instanceId);
            if (instance.IsAgentOnlineUnlocked(_time.GetUtcNow())) instance.AgentEverOnline = true;
            instance.AgentOnlineAt = null;
        }
        Publish([], instance);
    }

    /// <summary>The SSM agent of a running instance comes back at once.</summary>
    public void StartAgent(string instanceId)
    {
        SimInstance instance;
        lock (Sync)
        {
            instance = Get(instanceId);
            if (instance.CurrentState == InstanceState.Running) instance.AgentOnlineAt = _time.GetUtcNow();
        }
        Publish([], instance);
    }

    /// <summary>Adds a secondary private IPv4 to the primary interface (null: the next free address).</summary>
    public string AddPrivateIp(string instanceId, string? ip = null)
    {
        lock (Sync)
        {
            var instance = Get(instanceId);
            var address = ip ?? NextAddress(instance.VpcId);
            if (!IPAddress.TryParse(address, out _)) throw new ArgumentException($"'{address}' is not an IP address", nameof(ip));
            instance.Interfaces[0].PrivateIps.Add(address);
            return address;
        }
    }

    public void RemovePrivateIp(string instanceId, string ip)
    {
        lock (Sync)
        {
            var instance = Get(instanceId);
            foreach (var eni in instance.Interfaces)
            {
                var index = eni.PrivateIps.IndexOf(ip);
                if (index == 0) throw new InvalidOperationException("the primary private IP cannot be removed");
                if (index > 0) eni.PrivateIps.RemoveAt(index);
            }
        }
    }

    internal string InstanceArnOf(string instanceId) =>
        $"arn:{_options.Partition}:ec2:{_options.Region}:{_options.AccountId}:instance/{instanceId}";

    internal InstanceMetadata MetadataOf(string instanceId) => new(instanceId, _options.Region, _options.AccountId, _options.Partition);

    internal string DnsNameOf(string ipv4) =>
        _options.Region == "us-east-1"
            ? $"ip-{ipv4.Replace('.', '-')}.ec2.internal"
            : $"ip-{ipv4.Replace('.', '-')}.{_options.Region}.compute.internal";

    /// <summary>Running virtual hosts other than <paramref name="instanceId"/> with a certificate installed.</summary>
    internal int CountEnabledPeers(string instanceId)
    {
        // The peers are asked after the fleet's lock is released: a host's lock is never taken under the fleet's
        // (a host reading its own instance takes the fleet's lock: the inversion that once deadlocked the chaos fleet).
        VirtualHost[] peers;
        lock (Sync)
            peers = _instances.Where(i => i.InstanceId != instanceId && i.CurrentState == InstanceState.Running)
                .Select(i => i.Runtime).OfType<VirtualHost>().ToArray();
        return peers.Count(p => p.IsEnabled);
    }

    internal FleetState Export()
    {
        lock (Sync)
        {
            var (managed, acls) = ExportVpcObjects();
            return new FleetState(DefaultVpc.VpcId, _vpcs.Values.ToArray(),
                _groups.Values.Select(g => new SecurityGroupState(g.GroupId, g.GroupName, g.Description, g.VpcId, g.OwnerId,
                    g.Ingress.Select(r => new IngressRuleState(r.Protocol, r.FromPort, r.ToPort, r.Cidrs, r.Ipv6Cidrs, r.SourceGroupIds)).ToArray())
                {
                    Egress = g.Egress?.Select(r => new IngressRuleState(r.Protocol, r.FromPort, r.ToPort, r.Cidrs, r.Ipv6Cidrs, r.SourceGroupIds)).ToArray(),
                }).ToArray(),
                new Dictionary<string, uint>(_nextAddress, StringComparer.Ordinal),
                new Dictionary<string, uint>(_nextIpv6, StringComparer.Ordinal),
                _instances.Select(i => new InstanceRecord(i.InstanceId, i.ReservationId, i.LaunchIndex, i.Spec.InstanceType, i.Spec.ImageId, i.VpcId, i.LaunchTime,
                    i.CurrentState.WireName(), i.AgentOnlineAt, i.AgentEverOnline, i.TagVersion, new Dictionary<string, string>(i.TagMap, StringComparer.Ordinal),
                    i.Interfaces.Select(n => new InterfaceState(n.NetworkInterfaceId, n.DeviceIndex, n.SubnetId, n.VpcId, n.MacAddress, n.PrivateIps.ToArray(), n.Ipv6s.ToArray())).ToArray(),
                    i.GroupIds.ToArray(), (i.Runtime as VirtualHost)?.Export())).ToArray())
            {
                ManagedInterfaces = managed,
                NetworkAcls = acls,
            };
        }
    }

    /// <summary>Replaces everything with a saved fleet (a new, empty <see cref="Fleet"/> only). Instances without a saved host get a new one.</summary>
    internal void Import(FleetState state, VirtualHostOptions hostOptions)
    {
        lock (Sync)
        {
            _vpcs.Clear();
            _groups.Clear();
            foreach (var vpc in state.Vpcs) _vpcs[vpc.VpcId] = vpc;
            DefaultVpc = _vpcs[state.DefaultVpcId];
            foreach (var g in state.Groups)
                _groups[g.GroupId] = new SecurityGroup(g.GroupId, g.GroupName, g.Description, g.VpcId, g.OwnerId)
                {
                    Ingress = g.Ingress.Select(r => new IngressRule(r.Protocol, r.FromPort, r.ToPort) { Cidrs = r.Cidrs, Ipv6Cidrs = r.Ipv6Cidrs, SourceGroupIds = r.SourceGroupIds }).ToArray(),
                    Egress = g.Egress?.Select(r => new IngressRule(r.Protocol, r.FromPort, r.ToPort) { Cidrs = r.Cidrs, Ipv6Cidrs = r.Ipv6Cidrs, SourceGroupIds = r.SourceGroupIds }).ToArray(),
                };
            _nextAddress.Clear();
            foreach (var (vpc, next) in state.NextAddress) _nextAddress[vpc] = next;
            _nextIpv6.Clear();
            foreach (var (vpc, next) in state.NextIpv6) _nextIpv6[vpc] = next;
            ImportVpcObjects(state);
            foreach (var saved in state.Instances.OrderBy(i => i.LaunchIndex))
            {
                var spec = new InstanceSpec { InstanceType = saved.InstanceType, ImageId = saved.ImageId };
                var runtime = saved.Host is { } host ? VirtualHost.Import(host, hostOptions) : new VirtualHost(hostOptions with { Seed = unchecked(_options.Seed * 7919 + saved.LaunchIndex) });
                var instance = new SimInstance(this, saved.InstanceId, saved.ReservationId, saved.LaunchIndex, spec, _vpcs[saved.VpcId], runtime, saved.LaunchTime)
                {
                    CurrentState = InstanceStateNames.Parse(saved.State),
                    AgentOnlineAt = saved.AgentOnlineAt,
                    AgentEverOnline = saved.AgentEverOnline,
                    TagVersion = saved.TagVersion,
                };
                foreach (var (key, value) in saved.Tags) instance.TagMap[key] = value;
                foreach (var n in saved.Interfaces)
                {
                    var eni = new SimNetworkInterface(n.NetworkInterfaceId, n.DeviceIndex, n.SubnetId, n.VpcId, n.MacAddress);
                    eni.PrivateIps.AddRange(n.PrivateIps);
                    eni.Ipv6s.AddRange(n.Ipv6s);
                    instance.Interfaces.Add(eni);
                }
                instance.GroupIds.AddRange(saved.GroupIds);
                _instances.Add(instance);
                _byId[instance.InstanceId] = instance;
            }
        }
    }

    private void Transition(string instanceId, InstanceState? requiredFrom, InstanceState[] path)
    {
        var events = new List<string>();
        SimInstance instance;
        lock (Sync)
        {
            instance = Get(instanceId);
            if (instance.CurrentState == InstanceState.Terminated) throw new InvalidOperationException($"{instanceId} is terminated");
            if (requiredFrom is { } from && instance.CurrentState != from)
                throw new InvalidOperationException($"{instanceId} is {instance.CurrentState.WireName()}, not {from.WireName()}");
            var now = _time.GetUtcNow();
            if (instance.IsAgentOnlineUnlocked(now)) instance.AgentEverOnline = true;
            foreach (var state in path)
            {
                instance.CurrentState = state;
                events.Add(StateEvent(instance, state));
            }
            if (instance.CurrentState == InstanceState.Running) ScheduleAgent(instance, now);
            else instance.AgentOnlineAt = null;
        }
        Publish(events, instance);
    }

    private static void ScheduleAgent(SimInstance instance, DateTimeOffset now) =>
        instance.AgentOnlineAt = instance.Spec.AgentInstalled ? now + instance.Spec.AgentOnlineDelay : null;

    private void AddTagEvent(SimInstance instance, IEnumerable<string> changedKeys, List<string> events)
    {
        var keys = changedKeys.ToArray();
        instance.TagVersion++;
        if (!keys.Contains(_options.WatchedTagKey, StringComparer.Ordinal)) return;
        events.Add(EventEnvelope.TagChange(_random.Guid().ToString(), _options.AccountId, _options.Region, _time.GetUtcNow(),
            instance.InstanceId, keys, instance.TagVersion, instance.TagMap));
    }

    private string StateEvent(SimInstance instance, InstanceState state) =>
        EventEnvelope.StateChange(_random.Guid().ToString(), _options.AccountId, _options.Region, _time.GetUtcNow(), instance.InstanceId, state);

    private void Publish(List<string> events, SimInstance? agentChanged)
    {
        foreach (var e in events) _publishEvent(e);
        if (agentChanged is not null) AgentAvailabilityChanged?.Invoke(agentChanged);
    }

    private string NextAddress(string vpcId)
    {
        var value = _nextAddress[vpcId]++;
        var bytes = BitConverter.GetBytes(value);
        if (BitConverter.IsLittleEndian) Array.Reverse(bytes);
        return new IPAddress(bytes).ToString();
    }

    private string NextIpv6(SimVpc vpc)
    {
        var value = _nextIpv6[vpc.VpcId]++;
        var prefix = vpc.Ipv6CidrBlock[..vpc.Ipv6CidrBlock.IndexOf("::", StringComparison.Ordinal)];
        return $"{prefix}:0:{value >> 16:x}:{value & 0xffff:x}:1";
    }

    private string MacAddress() => string.Join(':', Enumerable.Range(0, 6).Select(i => i == 0 ? "0e" : _random.Hex(2)));

    private static (uint Network, int Prefix) ParseCidr(string cidr)
    {
        var parts = cidr.Split('/');
        if (parts.Length != 2 || !IPAddress.TryParse(parts[0], out var address) || !int.TryParse(parts[1], out var prefix))
            throw new ArgumentException($"'{cidr}' is not an IPv4 CIDR", nameof(cidr));
        var bytes = address.GetAddressBytes();
        if (bytes.Length != 4) throw new ArgumentException($"'{cidr}' is not an IPv4 CIDR", nameof(cidr));
        return (((uint)bytes[0] << 24) | ((uint)bytes[1] << 16) | ((uint)bytes[2] << 8) | bytes[3], prefix);
    }
}
