using System.Globalization;
using System.Text.RegularExpressions;

namespace IpsecMesh.Pki.Registry;

/// <summary>
/// Object keys under <c>issued/</c>. Each key carries what the controller needs to decide, so one listing
/// replaces a read per object:
/// <list type="bullet">
/// <item><c>issued/&lt;instanceId&gt;/&lt;notAfter&gt;_&lt;notBefore&gt;_&lt;serial&gt;_&lt;namesHash&gt;_&lt;caId&gt;.pem</c>: an issued certificate (PEM, never a key);</item>
/// <item><c>issued/revoked/&lt;caId&gt;/&lt;notAfter&gt;_&lt;serial&gt;_&lt;instanceId&gt;.json</c>: a revocation record. One listing of a CA's folder
/// gives every serial its CRL must list and when each certificate expires; the body (<see cref="RevocationRecordBody"/>) holds
/// the revocation time and reason;</item>
/// <item><c>issued/&lt;instanceId&gt;/&lt;serial&gt;.revoked</c>: the revocation marker of versions before the records. Read (and turned into
/// records) so that a registry they wrote keeps its revocations; never written any more;</item>
/// <item><c>issued/crl/&lt;caId&gt;.crl</c>: the DER CRL of each trusted CA.</item>
/// </list>
/// Times are UTC <c>yyyyMMddTHHmmssZ</c>; serials lower-case hex without leading zeros; a CA id is 16 hex digits.
/// </summary>
public static partial class RegistryLayout
{
    public const string Prefix = "issued/";
    public const string CrlPrefix = "issued/crl/";
    public const string RevokedPrefix = "issued/revoked/";
    private const string TimeFormat = "yyyyMMdd'T'HHmmss'Z'";

    public static string InstancePrefix(string instanceId) => $"{Prefix}{RequireInstanceId(instanceId)}/";

    public static string CertificateKey(IssuedCertificate certificate) =>
        $"{InstancePrefix(certificate.InstanceId)}{Format(certificate.NotAfter)}_{Format(certificate.NotBefore)}_{certificate.SerialHex}_{certificate.NamesHash}_{certificate.CaId}.pem";

    /// <summary>The folder of one CA's revocation records: what a CRL of that CA is derived from.</summary>
    public static string RevokedPrefixOf(string caId) => $"{RevokedPrefix}{RequireCaId(caId)}/";

    /// <summary>The revocation record of <paramref name="certificate"/>: one per certificate, so writing it twice changes nothing.</summary>
    public static string RevocationRecordKey(IssuedCertificate certificate) =>
        $"{RevokedPrefixOf(certificate.CaId)}{Format(certificate.NotAfter)}_{certificate.SerialHex}_{RequireInstanceId(certificate.InstanceId)}.json";

    /// <summary>The per-instance revocation marker earlier versions wrote (read, never written).</summary>
    public static string LegacyRevocationKey(string instanceId, string serialHex) => $"{InstancePrefix(instanceId)}{serialHex}.revoked";

    public static string CrlKey(string caId) => $"{CrlPrefix}{RequireCaId(caId)}.crl";

    public static string RequireInstanceId(string instanceId) =>
        InstanceIdPattern().IsMatch(instanceId) ? instanceId : throw new ArgumentException($"'{instanceId}' is not an EC2 instance id", nameof(instanceId));

    public static string RequireCaId(string caId) =>
        CaIdPattern().IsMatch(caId) ? caId : throw new ArgumentException($"'{caId}' is not a CA id (16 hex digits)", nameof(caId));

    /// <summary>Parses a key under <c>issued/&lt;instanceId&gt;/</c>; null for keys that are neither a certificate nor a legacy revocation marker.</summary>
    public static RegistryEntry? Parse(string key)
    {
        var match = EntryPattern().Match(key);
        if (!match.Success)
        {
            return null;
        }

        var instanceId = match.Groups["instance"].Value;
        if (match.Groups["revoked"].Success)
        {
            return new RegistryEntry(instanceId, match.Groups["revoked"].Value, null);
        }

        if (!TryParseTime(match.Groups["notAfter"].Value, out var notAfter) || !TryParseTime(match.Groups["notBefore"].Value, out var notBefore))
        {
            return null;
        }

        var serial = match.Groups["serial"].Value;
        return new RegistryEntry(instanceId, serial, new IssuedCertificate(
            instanceId, serial, notBefore, notAfter, match.Groups["names"].Value, match.Groups["ca"].Value, string.Empty));
    }

    /// <summary>Parses a key under <c>issued/revoked/</c>; null for anything that is not a revocation record.</summary>
    public static RevocationRecord? ParseRevocationRecord(string key)
    {
        var match = RecordPattern().Match(key);
        return match.Success && TryParseTime(match.Groups["notAfter"].Value, out var notAfter)
            ? new RevocationRecord(match.Groups["ca"].Value, notAfter, match.Groups["serial"].Value, match.Groups["instance"].Value)
            : null;
    }

    private static string Format(DateTimeOffset time) => time.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture);

    private static bool TryParseTime(string text, out DateTimeOffset time) =>
        DateTimeOffset.TryParseExact(text, TimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out time);

    [GeneratedRegex("^i-[0-9a-zA-Z]{1,32}$")]
    private static partial Regex InstanceIdPattern();

    [GeneratedRegex("^[0-9a-f]{16}$")]
    private static partial Regex CaIdPattern();

    [GeneratedRegex(@"^issued/(?<instance>i-[0-9a-zA-Z]{1,32})/(?:(?<notAfter>\d{8}T\d{6}Z)_(?<notBefore>\d{8}T\d{6}Z)_(?<serial>[0-9a-f]+)_(?<names>[0-9a-f]{8})_(?<ca>[0-9a-f]{16})\.pem|(?<revoked>[0-9a-f]+)\.revoked)$")]
    private static partial Regex EntryPattern();

    // A serial of at most 40 hex digits: RFC 5280 §4.1.2.2 allows 20 octets.
    [GeneratedRegex(@"^issued/revoked/(?<ca>[0-9a-f]{16})/(?<notAfter>\d{8}T\d{6}Z)_(?<serial>[1-9a-f][0-9a-f]{0,39})_(?<instance>i-[0-9a-zA-Z]{1,32})\.json$")]
    private static partial Regex RecordPattern();
}
