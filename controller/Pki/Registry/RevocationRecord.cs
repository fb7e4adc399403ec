using Org.BouncyCastle.Math;

namespace IpsecMesh.Pki.Registry;

/// <summary>
/// What the key of a revocation record says (<see cref="RegistryLayout.RevocationRecordKey"/>): which CA's CRL must list
/// <see cref="SerialHex"/>, and until when (the certificate's notAfter; after it, RFC 5280 §3.3 lets the entry go).
/// </summary>
public sealed record RevocationRecord(string CaId, DateTimeOffset NotAfter, string SerialHex, string InstanceId)
{
    public BigInteger Serial => new(SerialHex, 16);
}
