using System.Net;

namespace IpsecMesh.Core.Model;

/// <summary>One instance as EC2 reported it. Names and addresses come only from here, never from a tag or the host.</summary>
public sealed record InstanceSnapshot
{
    public required string InstanceId { get; init; }
    /// <summary>
    /// <c>arn:&lt;partition&gt;:ec2:&lt;region&gt;:&lt;account&gt;:instance/&lt;id&gt;</c>, built from the reservation's owner and the
    /// region (DescribeInstances returns no ARN); empty when EC2 named no owner.
    /// </summary>
    public required string InstanceArn { get; init; }
    /// <summary>EC2 state name: pending, running, stopping, stopped, shutting-down, terminated.</summary>
    public required string State { get; init; }
    public required IReadOnlyDictionary<string, string> Tags { get; init; }
    public string PrivateDnsName { get; init; } = "";
    public IReadOnlyList<string> PrivateDnsNames { get; init; } = [];
    public IReadOnlyList<IPAddress> PrivateAddresses { get; init; } = [];
    public string? VpcId { get; init; }
    public IReadOnlyList<string> SecurityGroupIds { get; init; } = [];
    /// <summary>The subnets of the instance's network interfaces (for the network ACL check).</summary>
    public IReadOnlyList<string> SubnetIds { get; init; } = [];
    public required DateTimeOffset ObservedAt { get; init; }

    public bool IsRunning => State == "running";

    public bool IsGone => State is "terminated" or "shutting-down";

    public string? Tag(string key) => Tags.TryGetValue(key, out var value) ? value : null;
}
