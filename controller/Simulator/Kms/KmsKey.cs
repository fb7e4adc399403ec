using System.Security.Cryptography;

namespace IpsecMesh.Simulator.Kms;

/// <summary>One KMS key and its material (AES-256 for symmetric keys, an ECDsa or RSA key otherwise).</summary>
internal sealed class KmsKey : IDisposable
{
    public required string KeyId { get; init; }
    public required string Arn { get; init; }
    public required string KeySpec { get; init; }
    public required string KeyUsage { get; init; }
    public required DateTimeOffset CreationDate { get; init; }
    public string Description { get; init; } = "";
    /// <summary>Under <see cref="HostKeyPolicy"/>: the host key of the stack, whose secrets are bound to one instance each.</summary>
    public bool InstanceBound { get; init; }
    public byte[]? Symmetric { get; init; }
    public ECDsa? Ecdsa { get; init; }
    public RSA? Rsa { get; init; }

    public IReadOnlyList<string> SigningAlgorithms => KeySpec switch
    {
        KmsKeySpec.EccNistP256 => ["ECDSA_SHA_256"],
        KmsKeySpec.EccNistP384 => ["ECDSA_SHA_384"],
        KmsKeySpec.Rsa2048 or KmsKeySpec.Rsa3072 or KmsKeySpec.Rsa4096 =>
        [
            "RSASSA_PSS_SHA_256", "RSASSA_PSS_SHA_384", "RSASSA_PSS_SHA_512",
            "RSASSA_PKCS1_V1_5_SHA_256", "RSASSA_PKCS1_V1_5_SHA_384", "RSASSA_PKCS1_V1_5_SHA_512",
        ],
        _ => [],
    };

    public byte[] PublicKey() =>
        Ecdsa?.ExportSubjectPublicKeyInfo() ?? Rsa?.ExportSubjectPublicKeyInfo()
        ?? throw new AwsServiceException(400, "UnsupportedOperationException", $"{Arn} is a symmetric key and has no public key");

    public void Dispose()
    {
        Ecdsa?.Dispose();
        Rsa?.Dispose();
        if (Symmetric is not null) CryptographicOperations.ZeroMemory(Symmetric);
    }
}
