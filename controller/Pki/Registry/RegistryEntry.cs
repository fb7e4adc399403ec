namespace IpsecMesh.Pki.Registry;

/// <summary>One parsed registry key: a certificate, or (when <see cref="Certificate"/> is null) a revocation marker.</summary>
public sealed record RegistryEntry(string InstanceId, string SerialHex, IssuedCertificate? Certificate);
