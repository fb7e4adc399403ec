namespace IpsecMesh.Pki.Registry;

/// <summary>
/// One parsed key under <c>issued/&lt;instanceId&gt;/</c>: a certificate, or (when <see cref="Certificate"/> is null) a revocation
/// marker of an earlier version.
/// </summary>
public sealed record RegistryEntry(string InstanceId, string SerialHex, IssuedCertificate? Certificate);
