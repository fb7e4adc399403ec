namespace IpsecMesh.Pki.Authority;

/// <summary>The CA state at one moment: the signing CA and every CA hosts trust (current first).</summary>
public sealed record CaSnapshot(CaStateDocument State, string ETag, LoadedCa Current, IReadOnlyList<LoadedCa> Trusted);
