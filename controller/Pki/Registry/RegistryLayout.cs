using System.Globalization;
using System.Text.RegularExpressions;

namespace IpsecMesh.Pki.Registry;

/// <summary>
/// Object keys under <c>issued/</c>. A certificate's key carries everything the controller needs to decide
/// (expiry, age, serial, names hash, CA), so one listing replaces a read per instance:
/// <c>issued/&lt;instanceId&gt;/&lt;notAfter&gt;_&lt;notBefore&gt;_&lt;serial&gt;_&lt;namesHash&gt;_&lt;caId&gt;.pem</c>;
/// a revoked certificate gets <c>issued/&lt;instanceId&gt;/&lt;serial&gt;.revoked</c>; CRLs are <c>issued/crl/&lt;caId&gt;.crl</c>.
/// </summary>
public static partial class RegistryLayout
{
    public const string Prefix = "issued/";
    public const string CrlPrefix = "issued/crl/";
    private const string TimeFormat = "yyyyMMdd'T'HHmmss'Z'";

    public static string InstancePrefix(string instanceId) => $"{Prefix}{RequireInstanceId(instanceId)}/";

    public static string CertificateKey(IssuedCertificate certificate) =>
        $"{InstancePrefix(certificate.InstanceId)}{Format(certificate.NotAfter)}_{Format(certificate.NotBefore)}_{certificate.SerialHex}_{certificate.NamesHash}_{certificate.CaId}.pem";

    public static string RevocationKey(string instanceId, string serialHex) => $"{InstancePrefix(instanceId)}{serialHex}.revoked";

    public static string CrlKey(string caId) => $"{CrlPrefix}{caId}.crl";

    public static string RequireInstanceId(string instanceId) =>
        InstanceIdPattern().IsMatch(instanceId) ? instanceId : throw new ArgumentException($"'{instanceId}' is not an EC2 instance id", nameof(instanceId));

    /// <summary>Parses a registry key; null for keys that are neither a certificate nor a revocation marker.</summary>
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

    private static string Format(DateTimeOffset time) => time.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture);

    private static bool TryParseTime(string text, out DateTimeOffset time) =>
        DateTimeOffset.TryParseExact(text, TimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out time);

    [GeneratedRegex("^i-[0-9a-zA-Z]{1,32}$")]
    private static partial Regex InstanceIdPattern();

    [GeneratedRegex(@"^issued/(?<instance>i-[0-9a-zA-Z]{1,32})/(?:(?<notAfter>\d{8}T\d{6}Z)_(?<notBefore>\d{8}T\d{6}Z)_(?<serial>[0-9a-f]+)_(?<names>[0-9a-f]{8})_(?<ca>[0-9a-f]{16})\.pem|(?<revoked>[0-9a-f]+)\.revoked)$")]
    private static partial Regex EntryPattern();
}
