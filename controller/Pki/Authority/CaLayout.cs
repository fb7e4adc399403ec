namespace IpsecMesh.Pki.Authority;

/// <summary>Object keys under <c>ca/</c>: one state document naming the current and previous CAs, one folder per CA.</summary>
public static class CaLayout
{
    public const string Prefix = "ca/";
    public const string StateKey = "ca/state.json";

    public static string CertificateKey(string caId) => $"{Prefix}{caId}/ca.pem";

    public static string KeyDocumentKey(string caId) => $"{Prefix}{caId}/key.json";
}
