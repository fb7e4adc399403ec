namespace IpsecMesh.Pki.Registry;

/// <summary>Why a stored CRL was not believed: the values of the <c>reason</c> attribute of the rejected-CRL counter.</summary>
public static class CrlProblems
{
    public const string TooLarge = "too_large";
    public const string Unparseable = "unparseable";
    public const string WrongIssuer = "wrong_issuer";
    public const string BadSignature = "bad_signature";

    public static IReadOnlyList<string> All { get; } = [TooLarge, Unparseable, WrongIssuer, BadSignature];
}
