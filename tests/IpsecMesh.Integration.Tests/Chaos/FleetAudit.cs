using System.Security.Cryptography.X509Certificates;
using IpsecMesh.Integration.Tests.Support;
using IpsecMesh.Simulator;
using Org.BouncyCastle.X509;

namespace IpsecMesh.Integration.Tests.Chaos;

/// <summary>Reads the end state out of the simulator: certificates issued, the CRLs, and what each enabled host runs.</summary>
public static class FleetAudit
{
    public static IReadOnlyList<string> IssuedCertificates(SimulatedAws aws) =>
        aws.ListKeys("issued/").Where(k => !k.StartsWith("issued/crl/", StringComparison.Ordinal) && k.EndsWith(".pem", StringComparison.Ordinal)).ToList();

    /// <summary>Serials (lower-case hex, no leading zeros) of every certificate some CRL under <c>issued/crl/</c> lists.</summary>
    public static HashSet<string> RevokedSerials(SimulatedAws aws)
    {
        var serials = new HashSet<string>(StringComparer.Ordinal);
        var parser = new X509CrlParser();
        foreach (var key in aws.ListKeys("issued/crl/"))
        {
            var crl = parser.ReadCrl(aws.ReadObject(key)!);
            foreach (var entry in crl.GetRevokedCertificates() ?? new HashSet<X509CrlEntry>())
                serials.Add(entry.SerialNumber.ToString(16));
        }
        return serials;
    }

    /// <summary>Serial of an <c>issued/&lt;instance&gt;/…_&lt;serial&gt;_…pem</c> key, normalised like <see cref="RevokedSerials"/>.</summary>
    public static string SerialOf(string issuedKey) => issuedKey.Split('/')[^1].Split('_')[2].TrimStart('0');

    public static string InstanceOf(string issuedKey) => issuedKey.Split('/')[1];

    /// <summary>What is wrong with an enabled instance's installed certificate, or null when it matches EC2 and the registry.</summary>
    public static string? CertificateProblem(SimInstance instance, VirtualHost host, IReadOnlyList<string> issued, DateTimeOffset now)
    {
        var state = host.State;
        if (state.CertificatePem is null || state.CertSerial is null) return "no certificate installed";
        using var cert = X509Certificate2.CreateFromPem(state.CertificatePem);
        if (!string.Equals(cert.SerialNumber.TrimStart('0'), state.CertSerial.TrimStart('0'), StringComparison.OrdinalIgnoreCase)) return "serial differs from the host's report";
        if (cert.NotAfter.ToUniversalTime() <= now.UtcDateTime) return $"expired {cert.NotAfter:O}";
        if (cert.GetNameInfo(X509NameType.SimpleName, forIssuer: false) != instance.PrivateDnsName) return $"CN is not {instance.PrivateDnsName}";
        var san = cert.Extensions.OfType<X509SubjectAlternativeNameExtension>().SingleOrDefault();
        if (san is null) return "no SAN";
        var dns = san.EnumerateDnsNames().ToHashSet(StringComparer.OrdinalIgnoreCase);
        var ips = san.EnumerateIPAddresses().Select(ip => ip.ToString()).ToHashSet(StringComparer.Ordinal);
        if (!dns.Contains(instance.PrivateDnsName)) return "SAN lacks the private DNS name";
        if (!ips.SetEquals(instance.AllPrivateIps)) return $"SAN IPs {string.Join(',', ips)} differ from EC2's {string.Join(',', instance.AllPrivateIps)}";
        var serial = cert.SerialNumber.TrimStart('0').ToLowerInvariant();
        if (!issued.Any(k => InstanceOf(k) == instance.InstanceId && SerialOf(k) == serial)) return "certificate not in the registry under this instance";
        var expiryTag = instance.Tag(MeshFixture.TagKey + ":CertExpiry");
        // The tag shows the expiry to the minute, rounded down (README, tags).
        if (expiryTag != cert.NotAfter.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:00Z", System.Globalization.CultureInfo.InvariantCulture))
            return $"CertExpiry tag '{expiryTag}' differs from the certificate's {cert.NotAfter.ToUniversalTime():O}";
        return null;
    }
}
