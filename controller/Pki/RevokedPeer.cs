namespace IpsecMesh.Pki;

/// <summary>
/// One address a recently revoked certificate named: hosts tear down their SAs with it once the CRL revoking
/// <see cref="SerialHex"/> is in force (the agent's file input <c>revoked-peers</c>, one <c>&lt;serial&gt; &lt;address&gt;</c> a line).
/// </summary>
public sealed record RevokedPeer(string SerialHex, string Address)
{
    public string ToLine() => $"{SerialHex} {Address}";
}
