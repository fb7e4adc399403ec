using Org.BouncyCastle.Asn1.Nist;
using Org.BouncyCastle.Asn1.Pkcs;
using Org.BouncyCastle.Pkcs;
using Org.BouncyCastle.Security;

namespace IpsecMesh.Pki.Keys;

/// <summary>Packs a host key and certificate as PKCS#12 (PBES2 AES-256-CBC / HMAC-SHA-256), importable with pk12util.</summary>
public static class Pkcs12Packager
{
    /// <summary>The NSS nickname the certificate and key get when pk12util imports the file.</summary>
    public const string FriendlyName = "ipsec-mesh-host";

    public static byte[] Pack(GeneratedHostKey key, Org.BouncyCastle.X509.X509Certificate certificate, char[] password, SecureRandom random)
    {
        var store = new Pkcs12StoreBuilder()
            .SetKeyAlgorithm(NistObjectIdentifiers.IdAes256Cbc, PkcsObjectIdentifiers.IdHmacWithSha256)
            .SetCertAlgorithm(NistObjectIdentifiers.IdAes256Cbc, PkcsObjectIdentifiers.IdHmacWithSha256)
            .SetUseDerEncoding(true)
            .Build();
        var certificateEntry = new X509CertificateEntry(certificate);
        store.SetCertificateEntry(FriendlyName, certificateEntry);
        store.SetKeyEntry(FriendlyName, new AsymmetricKeyEntry(key.PrivateKey), [certificateEntry]);
        using var output = new MemoryStream();
        store.Save(output, password, random);
        return output.ToArray();
    }
}
