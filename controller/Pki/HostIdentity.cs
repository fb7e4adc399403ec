using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace IpsecMesh.Pki;

/// <summary>
/// The names of an instance as EC2 reports them: the only source of a host certificate's names. The
/// instance ARN (<c>arn:&lt;partition&gt;:ec2:&lt;region&gt;:&lt;account&gt;:instance/&lt;id&gt;</c>) is not a certificate name:
/// it binds a host secret to the instance (<see cref="HostSecretContext"/>).
/// </summary>
public sealed record HostIdentity(string InstanceId, string InstanceArn, string PrivateDnsName, IReadOnlyList<string> DnsNames, IReadOnlyList<IPAddress> IpAddresses)
{
    /// <summary>The private DNS name first, then the other DNS names; normalised, without duplicates.</summary>
    public IReadOnlyList<string> AllDnsNames =>
        [.. new[] { PrivateDnsName }.Concat(DnsNames)
            .Where(name => !string.IsNullOrWhiteSpace(name))
            .Select(name => name.Trim().TrimEnd('.').ToLowerInvariant())
            .Distinct(StringComparer.Ordinal)];

    public IReadOnlyList<IPAddress> DistinctIpAddresses => [.. IpAddresses.Distinct()];

    /// <summary>8 hex digits over the sorted names and addresses: a changed IP set means a new certificate.</summary>
    public string NamesHash
    {
        get
        {
            var lines = AllDnsNames.Order(StringComparer.Ordinal).Select(name => "dns:" + name)
                .Concat(DistinctIpAddresses.Select(address => "ip:" + address).Order(StringComparer.Ordinal));
            return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', lines))))[..8];
        }
    }
}
