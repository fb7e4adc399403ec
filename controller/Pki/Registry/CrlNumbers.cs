using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.X509;

namespace IpsecMesh.Pki.Registry;

/// <summary>
/// CRL numbers (RFC 5280 §5.2.3: monotonically increasing for a CA, at most 20 octets). The next number is
/// max(previous + 1, now in Unix milliseconds): the previous number counts only when the stored CRL verified
/// under the CA, so a stored CRL that was deleted or forged (or another leader's clock) cannot make a new CRL
/// look older than one a host already holds, and a forged CRL cannot push the number towards the 20-octet limit.
/// Two CRLs signed within one millisecond still differ by the +1. The clock bound assumes controllers' clocks do
/// not run backwards by more than the time between two CRLs of one CA.
/// </summary>
public static class CrlNumbers
{
    /// <summary>The CRL's cRLNumber extension, or zero when it has none.</summary>
    public static BigInteger Of(X509Crl crl)
    {
        var value = crl.GetExtensionValue(X509Extensions.CrlNumber);
        return value is null ? BigInteger.Zero : DerInteger.GetInstance(value.GetOctets()).PositiveValue;
    }

    /// <param name="verifiedPrevious">The number of the stored CRL if it verified under the CA; null when there was none that did.</param>
    /// <param name="now">The signing time, from the controller's <see cref="TimeProvider"/>.</param>
    public static BigInteger Next(BigInteger? verifiedPrevious, DateTimeOffset now)
    {
        var clock = BigInteger.ValueOf(now.ToUnixTimeMilliseconds());
        var following = (verifiedPrevious ?? BigInteger.Zero).Add(BigInteger.One);
        return following.Max(clock);
    }
}
