using Org.BouncyCastle.X509;

namespace IpsecMesh.Pki.Authority;

/// <summary>A CA certificate read from <c>ca/</c> with the document that says where its key is.</summary>
public sealed record LoadedCa(string CaId, X509Certificate Certificate, string Pem, CaKeyDocument KeyDocument);
