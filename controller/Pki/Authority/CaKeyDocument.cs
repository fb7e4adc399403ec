namespace IpsecMesh.Pki.Authority;

/// <summary>
/// <c>ca/&lt;caId&gt;/key.json</c>. Envelope mode: the PKCS#8 key AES-256-GCM encrypted with a KMS data key
/// (base64 fields). KmsSigner mode: only the KMS key id; the key itself never leaves KMS.
/// </summary>
public sealed record CaKeyDocument(
    string Format,
    CaKeyMode Mode,
    string KmsKeyId,
    string? EncryptedDataKey = null,
    string? Nonce = null,
    string? Tag = null,
    string? Ciphertext = null)
{
    public const string CurrentFormat = "ipsec-mesh-ca-key/1";
}
