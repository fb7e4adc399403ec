using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace IpsecMesh.Pki.Tests.Support;

public enum HostKeyType
{
    Rsa,
    Ecdsa,
}

/// <summary>Host identities and host-made CSRs, as the agent's <c>csr</c> verb would produce them.</summary>
public static class Hosts
{
    public const string AccountId = "123456789012";

    /// <summary>The instance's ARN in eu-west-1, where these hosts live.</summary>
    public static string ArnOf(string instanceId) => $"arn:aws:ec2:eu-west-1:{AccountId}:instance/{instanceId}";

    /// <summary>The encryption context a host's secret must be decrypted with: the agent's, and the key policy's.</summary>
    public static Dictionary<string, string> SecretContext(string instanceId) => new()
    {
        ["InstanceId"] = instanceId,
        ["InstanceArn"] = ArnOf(instanceId),
    };

    public static HostIdentity Identity(string instanceId = "i-0abc1234def567890", params string[] ips) => new(
        instanceId,
        ArnOf(instanceId),
        "ip-10-0-1-23.eu-west-1.compute.internal",
        ["ip-10-0-1-23.eu-west-1.compute.internal"],
        [.. (ips.Length == 0 ? ["10.0.1.23", "10.0.2.7", "2a05:d018:1:2::17"] : ips).Select(IPAddress.Parse)]);

    public static AsymmetricAlgorithm NewKey(HostKeyType type) =>
        type == HostKeyType.Rsa ? RSA.Create(2048) : ECDsa.Create(ECCurve.NamedCurves.nistP256);

    /// <summary>A CSR that claims names the host must not get.</summary>
    public static byte[] CsrWithForeignNames(AsymmetricAlgorithm key)
    {
        var sans = new SubjectAlternativeNameBuilder();
        sans.AddDnsName("bank.example.com");
        sans.AddDnsName("ip-10-0-9-9.eu-west-1.compute.internal");
        sans.AddIpAddress(IPAddress.Parse("10.0.9.9"));
        var subject = new X500DistinguishedName("CN=bank.example.com, O=Attacker");
        var request = key switch
        {
            RSA rsa => new CertificateRequest(subject, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
            ECDsa ecdsa => new CertificateRequest(subject, ecdsa, HashAlgorithmName.SHA256),
            _ => throw new ArgumentException("unsupported key", nameof(key)),
        };
        request.CertificateExtensions.Add(sans.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        return request.CreateSigningRequest();
    }

    public static byte[] Csr(HostKeyType type) => CsrWithForeignNames(NewKey(type));
}
