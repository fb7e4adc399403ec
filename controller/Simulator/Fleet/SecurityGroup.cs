namespace IpsecMesh.Simulator;

public sealed record SecurityGroup(string GroupId, string GroupName, string Description, string VpcId, string OwnerId)
{
    public IReadOnlyList<IngressRule> Ingress { get; init; } = [];

    /// <summary>Egress permissions (destinations in their CIDRs); null: AWS's default, everything to 0.0.0.0/0.</summary>
    public IReadOnlyList<IngressRule>? Egress { get; init; }
}
