namespace IpsecMesh.Simulator;

/// <summary>
/// One simulated EC2 instance. Its mutable state changes only through <see cref="Fleet"/> (user
/// actions) or the EC2 API, under the fleet's lock; the getters return copies.
/// </summary>
public sealed class SimInstance
{
    private readonly Fleet _fleet;
    internal readonly Dictionary<string, string> TagMap = new(StringComparer.Ordinal);
    internal readonly List<SimNetworkInterface> Interfaces = [];
    internal readonly List<string> GroupIds = [];

    internal SimInstance(Fleet fleet, string instanceId, string reservationId, int launchIndex, InstanceSpec spec, SimVpc vpc, IInstanceRuntime runtime, DateTimeOffset launchTime)
    {
        _fleet = fleet;
        InstanceId = instanceId;
        ReservationId = reservationId;
        LaunchIndex = launchIndex;
        Spec = spec;
        VpcId = vpc.VpcId;
        SubnetId = vpc.SubnetId;
        Runtime = runtime;
        LaunchTime = launchTime;
    }

    public string InstanceId { get; }
    /// <summary>The instance's ARN: what IAM sees as <c>ec2:SourceInstanceARN</c> when the instance's role calls AWS.</summary>
    public string Arn => _fleet.InstanceArnOf(InstanceId);
    /// <summary>What the instance metadata service tells the instance about itself.</summary>
    public InstanceMetadata Metadata => _fleet.MetadataOf(InstanceId);
    public string ReservationId { get; }
    /// <summary>Launch order: DescribeInstances pages in this order.</summary>
    public int LaunchIndex { get; }
    public InstanceSpec Spec { get; }
    public string VpcId { get; }
    public string SubnetId { get; }
    public IInstanceRuntime Runtime { get; }
    public DateTimeOffset LaunchTime { get; }

    internal InstanceState CurrentState { get; set; } = InstanceState.Pending;
    internal DateTimeOffset? AgentOnlineAt { get; set; }
    internal bool AgentEverOnline { get; set; }
    internal DateTimeOffset? LastPing { get; set; }
    internal int TagVersion { get; set; }

    public InstanceState State { get { lock (_fleet.Sync) return CurrentState; } }

    public IReadOnlyDictionary<string, string> Tags { get { lock (_fleet.Sync) return new Dictionary<string, string>(TagMap, StringComparer.Ordinal); } }

    public string? Tag(string key) { lock (_fleet.Sync) return TagMap.GetValueOrDefault(key); }

    public IReadOnlyList<SimNetworkInterface> NetworkInterfaces { get { lock (_fleet.Sync) return Interfaces.ToArray(); } }

    public IReadOnlyList<string> SecurityGroupIds { get { lock (_fleet.Sync) return GroupIds.ToArray(); } }

    public string PrivateIpAddress { get { lock (_fleet.Sync) return Interfaces[0].PrivateIps[0]; } }

    public string PrivateDnsName => _fleet.DnsNameOf(PrivateIpAddress);

    /// <summary>Every private IP (v4 then v6) on every interface, in interface order.</summary>
    public IReadOnlyList<string> AllPrivateIps
    {
        get { lock (_fleet.Sync) return Interfaces.SelectMany(i => i.PrivateIps).Concat(Interfaces.SelectMany(i => i.Ipv6s)).ToArray(); }
    }

    /// <summary>Whether the SSM agent answers now: running, installed, and its online delay has passed.</summary>
    public bool IsAgentOnline(DateTimeOffset now)
    {
        lock (_fleet.Sync) return IsAgentOnlineUnlocked(now);
    }

    /// <summary>The state and the SSM agent's availability, read together under the fleet's lock (for SSM's delivery).</summary>
    internal (InstanceState State, bool AgentOnline, DateTimeOffset? AgentOnlineAt) AgentView(DateTimeOffset now)
    {
        lock (_fleet.Sync) return (CurrentState, IsAgentOnlineUnlocked(now), AgentOnlineAt);
    }

    internal bool IsAgentOnlineUnlocked(DateTimeOffset now) =>
        CurrentState == InstanceState.Running && AgentOnlineAt is { } at && now >= at;

    /// <summary>
    /// Whether the SSM agent has registered with SSM (it came online once, even if it is offline now):
    /// SendCommand to an instance whose agent never did, or that is terminated, is InvalidInstanceId.
    /// </summary>
    internal bool HasRegisteredAgentUnlocked(DateTimeOffset now)
    {
        if (CurrentState == InstanceState.Terminated) return false;
        if (IsAgentOnlineUnlocked(now)) AgentEverOnline = true;
        return AgentEverOnline;
    }
}
