namespace IpsecMesh.Simulator;

/// <summary>What to launch. Everything has a default: a running instance in the default VPC with one private IP.</summary>
public sealed record InstanceSpec
{
    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();
    /// <summary>Null: the fleet's default VPC.</summary>
    public string? VpcId { get; init; }
    /// <summary>Null: the VPC's default security group.</summary>
    public IReadOnlyList<string>? SecurityGroupIds { get; init; }
    public int SecondaryPrivateIpCount { get; init; }
    /// <summary>Extra network interfaces (device index 1, 2, …), one private IP each.</summary>
    public int ExtraNetworkInterfaces { get; init; }
    public bool Ipv6 { get; init; }
    /// <summary>How long after launch (or start) the SSM agent comes online.</summary>
    public TimeSpan AgentOnlineDelay { get; init; }
    /// <summary>False: the SSM agent never comes online (commands time out undelivered).</summary>
    public bool AgentInstalled { get; init; } = true;
    public string InstanceType { get; init; } = "t3.micro";
    public string ImageId { get; init; } = "ami-0simulated000001";
    /// <summary>Null: a new <see cref="VirtualHost"/>.</summary>
    public IInstanceRuntime? Runtime { get; init; }

    public static InstanceSpec Tagged(string key, string value) => new() { Tags = new Dictionary<string, string> { [key] = value } };
}
