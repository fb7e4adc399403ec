namespace IpsecMesh.Pki;

/// <summary>
/// A host certificate as the registry knows it. <see cref="CertificatePem"/> is empty when the record
/// came from a registry listing; fetch it with <see cref="IIssuanceRegistry.GetCertificatePemAsync"/>.
/// </summary>
public sealed record IssuedCertificate(
    string InstanceId,
    string SerialHex,
    DateTimeOffset NotBefore,
    DateTimeOffset NotAfter,
    string NamesHash,
    string CaId,
    string CertificatePem);
