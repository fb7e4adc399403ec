using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Security;

namespace IpsecMesh.Pki.Signing;

/// <summary>A CA key held in process memory by BouncyCastle; kept to compare against .NET in the benchmark.</summary>
public sealed class BouncyCastleCaSigningKey : ICaSigningKey
{
    private readonly AsymmetricKeyParameter _privateKey;

    public BouncyCastleCaSigningKey(AsymmetricKeyParameter privateKey, SubjectPublicKeyInfo publicKey)
    {
        _privateKey = privateKey;
        PublicKey = publicKey;
        Algorithm = CaSignatureAlgorithms.FromPublicKey(PublicKey);
        SignatureAlgorithm = CaSignatureAlgorithms.Identifier(Algorithm);
    }

    public CaAlgorithm Algorithm { get; }

    public AlgorithmIdentifier SignatureAlgorithm { get; }

    public SubjectPublicKeyInfo PublicKey { get; }

    public static BouncyCastleCaSigningKey Import(byte[] pkcs8, byte[] subjectPublicKeyInfo) =>
        new(PrivateKeyFactory.CreateKey(pkcs8), SubjectPublicKeyInfo.GetInstance(subjectPublicKeyInfo));

    public Task<byte[]> SignAsync(byte[] toBeSigned, CancellationToken cancellationToken)
    {
        var signer = SignerUtilities.GetSigner(CaSignatureAlgorithms.BouncyCastleSignerName(Algorithm));
        signer.Init(true, _privateKey);
        signer.BlockUpdate(toBeSigned, 0, toBeSigned.Length);
        return Task.FromResult(signer.GenerateSignature());
    }

    public void Dispose()
    {
        // BouncyCastle keys are managed objects: nothing native to release.
    }
}
