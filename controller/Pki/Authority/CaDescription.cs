namespace IpsecMesh.Pki.Authority;

/// <summary>What <c>ipsec-mesh ca show</c> prints about one CA.</summary>
public sealed record CaDescription(
    string CaId,
    CaRole Role,
    string Subject,
    DateTimeOffset NotBefore,
    DateTimeOffset NotAfter,
    string Sha256Fingerprint,
    CaKeyMode KeyMode,
    CaAlgorithm Algorithm,
    DateTimeOffset? RetireAt,
    string CertificatePem);
