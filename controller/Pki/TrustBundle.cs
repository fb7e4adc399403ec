namespace IpsecMesh.Pki;

/// <summary>The CA certificates a host must trust: the current CA, plus the previous one during a rotation overlap.</summary>
public sealed record TrustBundle(string BundleId, string Pem, IReadOnlyList<string> CaIds);
