using System.Net;
using System.Security.Cryptography.X509Certificates;

namespace IpsecMesh.Pki.Certificates;

/// <summary>The IP addresses a host certificate names (its IP subjectAltNames): the IKE identities its holder can claim.</summary>
public static class CertificateAddresses
{
    /// <returns>The addresses in the certificate's order, as text (<see cref="IPAddress.ToString"/>); none when the PEM does not parse.</returns>
    public static IReadOnlyList<string> Of(string certificatePem)
    {
        try
        {
            using var certificate = X509Certificate2.CreateFromPem(certificatePem);
            var san = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().FirstOrDefault();
            return san is null ? [] : [.. san.EnumerateIPAddresses().Select(address => address.ToString()).Distinct(StringComparer.Ordinal)];
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return [];
        }
    }
}
