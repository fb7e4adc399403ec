namespace IpsecMesh.Pki.Authority;

/// <summary>The CA material under <c>ca/</c> is missing, inconsistent or already present.</summary>
public sealed class CaStoreException : Exception
{
    public CaStoreException(string message)
        : base(message)
    {
    }

    public CaStoreException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public CaStoreException()
    {
    }
}
