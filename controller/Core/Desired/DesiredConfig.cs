using IpsecMesh.HostAgent.Policy;
using IpsecMesh.Pki;

namespace IpsecMesh.Core.Desired;

/// <summary>
/// The config one host should run: its generation's policy and trust bundle (the last good one, or
/// the roll-out's target once its wave admits the host), the newest CRLs of that bundle's CAs, and
/// the hash of all three (the value of its IPSec:Config tag once applied).
/// </summary>
public sealed record DesiredConfig(string Hash, MeshPolicy Policy, TrustBundle Bundle, IReadOnlyList<PublishedCrl> Crls);
