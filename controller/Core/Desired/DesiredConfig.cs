using IpsecMesh.HostAgent.Policy;
using IpsecMesh.Pki;

namespace IpsecMesh.Core.Desired;

/// <summary>
/// The config one host should run: its generation's policy and trust bundle (the last good one, or
/// the roll-out's target once its wave admits the host), the newest CRLs of that bundle's CAs, and
/// the hash of all three (the value of its IPSec:Config tag once applied). <see cref="RevokedPeers"/>, the addresses of
/// recently revoked certificates, travel with it but are not hashed: a host acts on them only when a CRL it loads newly
/// revokes their serials.
/// </summary>
public sealed record DesiredConfig(string Hash, MeshPolicy Policy, TrustBundle Bundle, IReadOnlyList<PublishedCrl> Crls)
{
    public IReadOnlyList<RevokedPeer> RevokedPeers { get; init; } = [];
}
