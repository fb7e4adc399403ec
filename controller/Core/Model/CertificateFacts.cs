namespace IpsecMesh.Core.Model;

/// <summary>The newest certificate the registry holds for an instance (no key, no PEM needed to decide).</summary>
public sealed record CertificateFacts(string SerialHex, DateTimeOffset IssuedAt, DateTimeOffset NotAfter, string NamesHash, string CaId);
