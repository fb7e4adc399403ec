namespace IpsecMesh.Pki.Kms;

/// <summary>A KMS operation was refused (wrong key, wrong encryption context, unknown key).</summary>
public sealed class KeyServiceException : Exception
{
    public KeyServiceException(string message)
        : base(message)
    {
    }

    public KeyServiceException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public KeyServiceException()
    {
    }
}
