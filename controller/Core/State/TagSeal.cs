using System.Security.Cryptography;
using System.Text;
using IpsecMesh.Core.Model;
using IpsecMesh.Core.Options;

namespace IpsecMesh.Core.State;

/// <summary>
/// Seals the facts the controller keeps on an instance's tags (the applied config hash and the
/// installed certificate's expiry) with an HMAC-SHA256 over the instance id and both values, in
/// the tag <c>&lt;TagKey&gt;:Seal</c>. Anyone may write tags on their own instances; a value the
/// controller did not write itself does not verify, and the controller then treats the fact as
/// unknown and confirms it with the host again instead of believing it.
/// </summary>
public sealed class TagSeal(TagSealKey key)
{
    private const string Domain = "ipsec-mesh tag seal v1";

    /// <returns>22 base64url characters (128 bits of the MAC).</returns>
    public string Compute(string instanceId, string? configHash, string? certExpiry)
    {
        var mac = HMACSHA256.HashData(key.Bytes, Encoding.UTF8.GetBytes($"{Domain}\n{instanceId}\n{configHash}\n{certExpiry}"));
        return Convert.ToBase64String(mac, 0, 16).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    public bool Verifies(string instanceId, string? configHash, string? certExpiry, string? seal) =>
        seal is not null && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(seal), Encoding.ASCII.GetBytes(Compute(instanceId, configHash, certExpiry)));

    /// <summary>
    /// The sealed facts of a snapshot's tags: both null when the controller has written none, or when
    /// the seal does not verify (<see cref="SealedFacts.Tampered"/>: someone else wrote them).
    /// </summary>
    public SealedFacts Read(InstanceSnapshot snapshot, IpsecMeshOptions options)
    {
        var config = snapshot.Tag(options.ConfigTagKey);
        var expiry = snapshot.Tag(options.CertExpiryTagKey);
        if (config is null && expiry is null) return SealedFacts.None;
        return Verifies(snapshot.InstanceId, config, expiry, snapshot.Tag(options.SealTagKey))
            ? new SealedFacts(config, expiry, Tampered: false)
            : new SealedFacts(null, null, Tampered: true);
    }

    /// <summary>The seal tag for the tags an instance will carry after a write: set over the sealed facts, removed when there are none.</summary>
    public void Apply(string instanceId, IReadOnlyDictionary<string, string> after, IpsecMeshOptions options, IDictionary<string, string> set, ICollection<string> remove)
    {
        var config = after.GetValueOrDefault(options.ConfigTagKey);
        var expiry = after.GetValueOrDefault(options.CertExpiryTagKey);
        if (config is null && expiry is null)
        {
            if (after.ContainsKey(options.SealTagKey)) remove.Add(options.SealTagKey);
            return;
        }
        var seal = Compute(instanceId, config, expiry);
        if (after.GetValueOrDefault(options.SealTagKey) != seal) set[options.SealTagKey] = seal;
    }
}
