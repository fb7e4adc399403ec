using IpsecMesh.Pki.Certificates;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.X509;

namespace IpsecMesh.Pki.Registry;

/// <summary>
/// A stored CRL whose signature verified under its CA's certificate and whose issuer is that CA: the only kind
/// whose content the controller believes (its CRL number, its entries, its nextUpdate).
/// </summary>
internal sealed class VerifiedCrl(X509Crl crl)
{
    public BigInteger Number { get; } = CrlNumbers.Of(crl);

    public DateTimeOffset ThisUpdate { get; } = new(crl.ThisUpdate, TimeSpan.Zero);

    public DateTimeOffset? NextUpdate { get; } = crl.NextUpdate is { } next ? new DateTimeOffset(next, TimeSpan.Zero) : null;

    public IReadOnlyDictionary<BigInteger, RevokedSerial> Entries { get; } =
        (crl.GetRevokedCertificates() ?? new HashSet<X509CrlEntry>()).ToDictionary(entry => entry.SerialNumber, EntryOf);

    private static RevokedSerial EntryOf(X509CrlEntry entry)
    {
        var reason = entry.GetExtensionValue(X509Extensions.ReasonCode) is { } value
            ? (RevocationReason)DerEnumerated.GetInstance(value.GetOctets()).IntValueExact
            : RevocationReason.CessationOfOperation;
        return new RevokedSerial(entry.SerialNumber, new DateTimeOffset(entry.RevocationDate, TimeSpan.Zero), reason);
    }
}
