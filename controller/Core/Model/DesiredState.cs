namespace IpsecMesh.Core.Model;

/// <summary>What every enrolled instance should have right now.</summary>
public sealed record DesiredState
{
    /// <summary>Short hash of the mesh policy and the trust bundle; the value of the config tag once applied.</summary>
    public required string ConfigHash { get; init; }
    public required string CurrentCaId { get; init; }
    /// <summary>False during the first part of a CA rotation, while hosts learn to trust the new CA.</summary>
    public bool CaReissueAllowed { get; init; } = true;
    public required TimeSpan RenewAfter { get; init; }
    public bool ControllerGeneratesKeys { get; init; }
}
