using System.Net;
using System.Net.Sockets;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Math;

namespace IpsecMesh.Pki.Certificates;

/// <summary>The to-be-signed body of a self-signed mesh CA certificate (subject: <see cref="CaSubjects"/>).</summary>
internal static class CaCertificateTemplate
{
    public static TbsCertificateStructure Build(
        X509Name subject,
        SubjectPublicKeyInfo publicKey,
        AlgorithmIdentifier signatureAlgorithm,
        BigInteger serial,
        DateTimeOffset notBefore,
        DateTimeOffset notAfter,
        IReadOnlyList<IPNetwork> permittedNetworks)
    {
        var extensions = new X509ExtensionsGenerator();
        extensions.AddExtension(X509Extensions.BasicConstraints, true, new BasicConstraints(0));
        extensions.AddExtension(X509Extensions.KeyUsage, true, new KeyUsage(KeyUsage.KeyCertSign | KeyUsage.CrlSign));
        extensions.AddExtension(X509Extensions.SubjectKeyIdentifier, false, new SubjectKeyIdentifier(KeyIdentifiers.For(publicKey)));
        if (permittedNetworks.Count > 0)
        {
            var subtrees = permittedNetworks.Select(network => new GeneralSubtree(new GeneralName(GeneralName.IPAddress, new DerOctetString(AddressAndMask(network))))).ToArray();
            extensions.AddExtension(X509Extensions.NameConstraints, true, new NameConstraints(new GeneralSubtrees(subtrees), null));
        }

        var generator = new V3TbsCertificateGenerator();
        generator.SetSerialNumber(new DerInteger(serial));
        generator.SetSignature(signatureAlgorithm);
        generator.SetIssuer(subject);
        generator.SetSubject(subject);
        generator.SetStartDate(new Time(notBefore.UtcDateTime));
        generator.SetEndDate(new Time(notAfter.UtcDateTime));
        generator.SetSubjectPublicKeyInfo(publicKey);
        generator.SetExtensions(extensions.Generate());
        return generator.GenerateTbsCertificate();
    }

    private static byte[] AddressAndMask(IPNetwork network)
    {
        var address = network.BaseAddress.GetAddressBytes();
        var mask = new byte[address.Length];
        for (var bit = 0; bit < network.PrefixLength; bit++)
        {
            mask[bit / 8] |= (byte)(0x80 >> (bit % 8));
        }

        return [.. address, .. mask];
    }

    public static IReadOnlyList<IPNetwork> ParseNetworks(IEnumerable<string> cidrs) =>
        [.. cidrs.Select(IPNetwork.Parse).Where(network => network.BaseAddress.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6)];
}
