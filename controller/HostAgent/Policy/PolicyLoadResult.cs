namespace IpsecMesh.HostAgent.Policy;

/// <summary>A loaded policy, or every error that kept it from loading (never both).</summary>
public sealed record PolicyLoadResult(MeshPolicy? Policy, IReadOnlyList<PolicyError> Errors)
{
    public bool IsValid => Policy is not null && Errors.Count == 0;
}
