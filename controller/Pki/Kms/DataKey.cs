namespace IpsecMesh.Pki.Kms;

/// <summary>A KMS data key: use <see cref="Plaintext"/> once, then zero it; keep only <see cref="CiphertextBlob"/>.</summary>
public sealed record DataKey(byte[] Plaintext, byte[] CiphertextBlob);
