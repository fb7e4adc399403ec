namespace IpsecMesh.Pki;

public enum CaKeyMode
{
    /// <summary>The CA key is stored under <c>ca/</c>, AES-256-GCM encrypted with a KMS data key; plaintext only in memory.</summary>
    Envelope,

    /// <summary>The CA key is a KMS asymmetric key; certificates are signed with KMS Sign and the key never leaves KMS.</summary>
    KmsSigner,
}
