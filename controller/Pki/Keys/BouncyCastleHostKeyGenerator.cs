using Org.BouncyCastle.Asn1.Sec;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;

namespace IpsecMesh.Pki.Keys;

/// <summary>Host keys from BouncyCastle: the faster ECDSA P-256 generator in the pki benchmark.</summary>
public sealed class BouncyCastleHostKeyGenerator(SecureRandom? random = null) : IHostKeyGenerator
{
    private readonly SecureRandom _random = random ?? new SecureRandom();

    public string Library => "BouncyCastle";

    public GeneratedHostKey Generate(HostKeyAlgorithm algorithm)
    {
        IAsymmetricCipherKeyPairGenerator generator;
        if (algorithm == HostKeyAlgorithm.Rsa4096)
        {
            generator = new RsaKeyPairGenerator();
            generator.Init(new RsaKeyGenerationParameters(BigInteger.ValueOf(65537), _random, 4096, 100));
        }
        else
        {
            generator = new ECKeyPairGenerator();
            generator.Init(new ECKeyGenerationParameters(SecObjectIdentifiers.SecP256r1, _random));
        }

        var pair = generator.GenerateKeyPair();
        return new GeneratedHostKey(pair.Private, SubjectPublicKeyInfoFactory.CreateSubjectPublicKeyInfo(pair.Public));
    }
}
