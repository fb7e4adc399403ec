namespace IpsecMesh.Pki;

/// <summary>A CSR the CA refuses to sign; the message says why in one sentence.</summary>
public sealed class CsrRejectedException : Exception
{
    public CsrRejectedException(string message)
        : base(message)
    {
    }

    public CsrRejectedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public CsrRejectedException()
    {
    }
}
