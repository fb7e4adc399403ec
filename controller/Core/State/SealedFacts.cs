namespace IpsecMesh.Core.State;

/// <summary>What the controller's own tags say about an instance, once their seal verified (<see cref="TagSeal"/>).</summary>
public sealed record SealedFacts(string? ConfigHash, string? CertExpiry, bool Tampered)
{
    public static SealedFacts None { get; } = new(null, null, false);
}
