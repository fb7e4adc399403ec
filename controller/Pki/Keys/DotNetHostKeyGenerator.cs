using System.Security.Cryptography;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Security;

namespace IpsecMesh.Pki.Keys;

/// <summary>Host keys from System.Security.Cryptography (OpenSSL): the faster RSA-4096 generator in the pki benchmark.</summary>
public sealed class DotNetHostKeyGenerator : IHostKeyGenerator
{
    public string Library => "System.Security.Cryptography";

    public GeneratedHostKey Generate(HostKeyAlgorithm algorithm)
    {
        using AsymmetricAlgorithm key = algorithm == HostKeyAlgorithm.Rsa4096
            ? RSA.Create(4096)
            : ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var pkcs8 = key.ExportPkcs8PrivateKey();
        try
        {
            return new GeneratedHostKey(
                PrivateKeyFactory.CreateKey(pkcs8),
                SubjectPublicKeyInfo.GetInstance(key.ExportSubjectPublicKeyInfo()));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pkcs8);
        }
    }
}
