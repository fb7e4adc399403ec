namespace IpsecMesh.Pki;

public sealed class PkiOptionsException : Exception
{
    public PkiOptionsException(IReadOnlyList<string> errors)
        : base("invalid PKI settings: " + string.Join("; ", errors)) => Errors = errors;

    public PkiOptionsException()
        : this([])
    {
    }

    public PkiOptionsException(string message)
        : base(message) => Errors = [message];

    public PkiOptionsException(string message, Exception innerException)
        : base(message, innerException) => Errors = [message];

    public IReadOnlyList<string> Errors { get; }
}
