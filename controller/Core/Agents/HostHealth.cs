namespace IpsecMesh.Core.Agents;

/// <summary>One host's IPsec health, from the agent's <c>status</c> verb.</summary>
public sealed record HostHealth(
    string InstanceId,
    bool Running,
    long IpsecSas,
    long IkeSas,
    long IkeFailures,
    long EspErrors,
    IReadOnlyDictionary<string, long> Shunts,
    DateTimeOffset CollectedAt);
