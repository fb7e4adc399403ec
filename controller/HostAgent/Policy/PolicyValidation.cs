namespace IpsecMesh.HostAgent.Policy;

/// <summary>What <c>ipsec-mesh config validate [DIR]</c> reports: every error of a policy, at once.</summary>
public static class PolicyValidation
{
    /// <summary>Errors of the policy in <paramref name="directory"/>; empty when it is valid.</summary>
    public static IReadOnlyList<PolicyError> ValidateDirectory(string directory) => MeshPolicy.LoadDirectory(directory).Errors;

    /// <summary>Errors of a policy given as file name → text (e.g. read from S3).</summary>
    public static IReadOnlyList<PolicyError> Validate(IReadOnlyDictionary<string, string> files, string source) =>
        MeshPolicy.Load(files, source).Errors;
}
