namespace IpsecMesh.Pki;

/// <summary>The CRL a trusted CA last published under <c>issued/crl/&lt;caId&gt;.crl</c>, as DER.</summary>
public sealed record PublishedCrl(string CaId, byte[] Der);
