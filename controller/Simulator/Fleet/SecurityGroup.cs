namespace IpsecMesh.Simulator;

public sealed record SecurityGroup(string GroupId, string GroupName, string Description, string VpcId, string OwnerId)
{
    public IReadOnlyList<IngressRule> Ingress { get; init; } = [];
}
