using System.Security.Cryptography;
using System.Text;
using IpsecMesh.HostAgent.Policy;
using IpsecMesh.Pki;

namespace IpsecMesh.Core.Rollout;

/// <summary>
/// A config the fleet can run: the mesh policy (groups and conn template) and the CA trust bundle.
/// It is what a roll-out moves hosts from and to; CRLs are not part of it — every host always gets
/// the newest CRLs, whichever generation it runs.
/// </summary>
public sealed record ConfigGeneration(MeshPolicy Policy, TrustBundle Bundle)
{
    /// <summary>Short (12 hex) id over the policy hash and the bundle id.</summary>
    public string Id { get; } = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Policy.Hash + "/" + Bundle.BundleId)))[..12];

    /// <summary>
    /// The config hash a host running this generation with CRLs <paramref name="crlsId"/> reports (the
    /// value of the IPSec:Config tag); without CRLs ("none") the hash is what it was before hosts
    /// loaded CRLs, so upgrades touch no host.
    /// </summary>
    public string HashWith(string? crlsId)
    {
        var hashed = Policy.Hash + "/" + Bundle.BundleId + (crlsId is null ? "" : "/" + crlsId);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(hashed)))[..12];
    }
}
