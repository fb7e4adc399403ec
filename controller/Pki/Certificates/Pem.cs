using System.Security.Cryptography;
using System.Text;
using Org.BouncyCastle.X509;

namespace IpsecMesh.Pki.Certificates;

public static class Pem
{
    public static string Of(X509Certificate certificate) => Encode("CERTIFICATE", certificate.GetEncoded());

    public static string OfCertificate(ReadOnlySpan<byte> der) => Encode("CERTIFICATE", der);

    public static string Of(X509Crl crl) => Encode("X509 CRL", crl.GetEncoded());

    public static X509Certificate ParseCertificate(string pem) =>
        new X509CertificateParser().ReadCertificate(Encoding.ASCII.GetBytes(pem))
        ?? throw new FormatException("no certificate in the PEM text");

    public static IReadOnlyList<X509Certificate> ParseCertificates(string pem) =>
        [.. new X509CertificateParser().ReadCertificates(Encoding.ASCII.GetBytes(pem))];

    private static string Encode(string label, ReadOnlySpan<byte> der) => PemEncoding.WriteString(label, der) + "\n";
}
