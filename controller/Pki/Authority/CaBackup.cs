namespace IpsecMesh.Pki.Authority;

/// <summary>
/// An offline backup of the CA key: encrypted PKCS#8 PEM and the one-time password that opens it.
/// The CLI shows the password once; nothing stores it. <see cref="ToString"/> never reveals it.
/// </summary>
public sealed class CaBackup(string encryptedPrivateKeyPem, string password)
{
    public string EncryptedPrivateKeyPem { get; } = encryptedPrivateKeyPem;

    public string Password { get; } = password;

    public override string ToString() => "CaBackup (encrypted PKCS#8; password withheld)";
}
