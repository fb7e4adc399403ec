using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Pkcs;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Math;

namespace IpsecMesh.Pki.Certificates;

/// <summary>The to-be-signed body of a host certificate: every name from <see cref="HostIdentity"/>, none from the host.</summary>
internal static class HostCertificateTemplate
{
    public static TbsCertificateStructure Build(
        HostIdentity identity,
        SubjectPublicKeyInfo hostPublicKey,
        Org.BouncyCastle.X509.X509Certificate caCertificate,
        AlgorithmIdentifier signatureAlgorithm,
        BigInteger serial,
        DateTimeOffset notBefore,
        DateTimeOffset notAfter)
    {
        var dnsNames = identity.AllDnsNames;
        var addresses = identity.DistinctIpAddresses;
        if (dnsNames.Count == 0 && addresses.Count == 0)
        {
            throw new ArgumentException($"instance {identity.InstanceId} has neither a DNS name nor an IP address to certify", nameof(identity));
        }

        var commonName = string.IsNullOrWhiteSpace(identity.PrivateDnsName) ? identity.InstanceId : dnsNames[0];
        var subjectAltNames = dnsNames.Select(name => new GeneralName(GeneralName.DnsName, name))
            .Concat(addresses.Select(address => new GeneralName(GeneralName.IPAddress, new DerOctetString(address.GetAddressBytes()))))
            .ToArray();

        var isRsa = hostPublicKey.Algorithm.Algorithm.Equals(PkcsObjectIdentifiers.RsaEncryption);
        var keyUsage = isRsa ? KeyUsage.DigitalSignature | KeyUsage.KeyEncipherment : KeyUsage.DigitalSignature;

        var extensions = new X509ExtensionsGenerator();
        extensions.AddExtension(X509Extensions.BasicConstraints, true, new BasicConstraints(false));
        extensions.AddExtension(X509Extensions.KeyUsage, true, new KeyUsage(keyUsage));
        extensions.AddExtension(X509Extensions.ExtendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeID.id_kp_serverAuth, KeyPurposeID.id_kp_clientAuth));
        extensions.AddExtension(X509Extensions.SubjectAlternativeName, false, new GeneralNames(subjectAltNames));
        extensions.AddExtension(X509Extensions.SubjectKeyIdentifier, false, new SubjectKeyIdentifier(KeyIdentifiers.For(hostPublicKey)));
        extensions.AddExtension(X509Extensions.AuthorityKeyIdentifier, false, new AuthorityKeyIdentifier(KeyIdentifiers.OfCertificate(caCertificate)));

        var generator = new V3TbsCertificateGenerator();
        generator.SetSerialNumber(new DerInteger(serial));
        generator.SetSignature(signatureAlgorithm);
        generator.SetIssuer(caCertificate.SubjectDN);
        generator.SetSubject(new X509Name([X509Name.CN], [commonName]));
        generator.SetStartDate(new Time(notBefore.UtcDateTime));
        generator.SetEndDate(new Time(notAfter.UtcDateTime));
        generator.SetSubjectPublicKeyInfo(hostPublicKey);
        generator.SetExtensions(extensions.Generate());
        return generator.GenerateTbsCertificate();
    }
}
