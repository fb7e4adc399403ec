using Org.BouncyCastle.Asn1.X509;

namespace IpsecMesh.Pki.Signing;

/// <summary>A CA private key, wherever it lives (process memory or KMS), seen only as "sign these DER bytes".</summary>
public interface ICaSigningKey : IDisposable
{
    CaAlgorithm Algorithm { get; }

    AlgorithmIdentifier SignatureAlgorithm { get; }

    SubjectPublicKeyInfo PublicKey { get; }

    /// <returns>The signature as an X.509 signatureValue carries it.</returns>
    Task<byte[]> SignAsync(byte[] toBeSigned, CancellationToken cancellationToken);
}
