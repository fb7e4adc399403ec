using System.Text.Json;
using IpsecMesh.Pki;
using IpsecMesh.Simulator;
using Microsoft.Extensions.DependencyInjection;

namespace IpsecMesh.Simulation;

/// <summary><c>simulate --export DIR</c>: the CA, each instance's current certificate, and the instances as EC2 knows them.</summary>
public static class SimulationExport
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static async Task WriteAsync(string directory, SimulatedAws aws, IServiceProvider services, string tagKey, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.Combine(directory, "issued"));
        var authority = services.GetRequiredService<IMeshCertificateAuthority>();
        var registry = services.GetRequiredService<IIssuanceRegistry>();
        var bundle = await authority.GetTrustBundleAsync(cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(directory, "ca.pem"), bundle.Pem, cancellationToken);
        foreach (var (instanceId, certificate) in await registry.LoadCurrentAsync(cancellationToken))
        {
            var pem = string.IsNullOrEmpty(certificate.CertificatePem) ? await registry.GetCertificatePemAsync(certificate, cancellationToken) : certificate.CertificatePem;
            await File.WriteAllTextAsync(Path.Combine(directory, "issued", instanceId + ".pem"), pem, cancellationToken);
        }
        var instances = aws.Fleet.Instances.Select(i => new
        {
            id = i.InstanceId,
            privateIps = i.NetworkInterfaces.SelectMany(n => n.PrivateIpAddresses.Concat(n.Ipv6Addresses)).ToList(),
            privateDnsNames = i.NetworkInterfaces.SelectMany(n => n.PrivateIpAddresses).Select(ip => DnsName(aws, ip)).Prepend(i.PrivateDnsName).Distinct().ToList(),
            phase = i.Tag(tagKey),
        });
        await File.WriteAllTextAsync(Path.Combine(directory, "instances.json"),
            JsonSerializer.Serialize(instances, Indented), cancellationToken);
    }

    private static string DnsName(SimulatedAws aws, string ipv4) =>
        $"ip-{ipv4.Replace('.', '-')}.{(aws.Region == "us-east-1" ? "ec2.internal" : aws.Region + ".compute.internal")}";
}
