using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using IpsecMesh.Integration.Tests.Support;
using IpsecMesh.Pki.Authority;
using IpsecMesh.Simulator;
using Microsoft.Extensions.DependencyInjection;

namespace IpsecMesh.Integration.Tests.Revocation;

/// <summary>
/// A CA rotation on the simulator, end to end: hosts get the bundle with both CAs, then certificates of the new CA;
/// the old CA's certificates are revoked and that CRL reaches every host; only then does the bundle drop the old CA
/// (a host's pluto keeps trusting a CA that left its bundle until it restarts: its certificates must be dead by then).
/// </summary>
public class CaRetirementTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_old_cas_certificates_are_revoked_on_every_host_before_the_bundle_drops_it()
    {
        await using var mesh = new MeshFixture(settings: new Dictionary<string, string?>
        {
            ["IpsecMesh:RolloutWaves"] = "100%",
            ["IpsecMesh:RolloutWaveSoak"] = "00:00:30",
            ["IpsecMesh:RotationOverlap"] = "00:10:00",
            ["IpsecMesh:CaRetirementGrace"] = "00:05:00",
            ["IpsecMesh:ResyncInterval"] = "00:02:00",
        });
        var instances = new[] { mesh.Launch(), mesh.Launch(), mesh.Launch() };
        var controller = await mesh.StartControllerAsync(Token);
        foreach (var instance in instances) await mesh.WaitForTagAsync(instance, "enabled");
        var oldCaId = BundleCaIds(Host(instances[0]).State.CaBundlePem).Single();
        var oldSerials = instances.Select(i => Host(i).State.CertSerial!.TrimStart('0')).ToList();

        var newCaId = (await controller.Services.GetRequiredService<CaAdministration>().RotateAsync(null, Token)).CaId;

        // The states the rotation ends in; the order of the steps is read from each host's own record below, not
        // sampled while they happen (on a loaded machine a sample can miss a step that lasts a few wall seconds at 60x).
        var newCaPem = mesh.Aws.ReadObject($"ca/{newCaId}/ca.pem")!;
        await mesh.WaitForAsync(() => instances.All(i => SignedBy(Host(i).State.CertificatePem, newCaPem)), "every host to run a new-CA certificate", TimeSpan.FromSeconds(90));
        await mesh.WaitForAsync(() => instances.All(i => BundleCaIds(Host(i).State.CaBundlePem).SetEquals([newCaId])), "every host to trust the new CA only", TimeSpan.FromSeconds(90));
        Assert.True(Revoked(mesh.Aws.ReadObject($"issued/crl/{oldCaId}.crl")!).SetEquals(oldSerials));
        foreach (var instance in instances)
        {
            var state = Host(instance).State;
            // Every host trusted both CAs before it trusted the new one only.
            Assert.Equal([Ids(oldCaId), Ids(oldCaId, newCaId), Ids(newCaId)], state.Bundles.Select(b => Ids([.. b.CaIds])));
            // The old CA's CRL revoking every old certificate reached the host by an earlier command than the one that dropped the CA.
            var dropped = state.Bundles[^1];
            Assert.True(dropped.CrlsHeldBefore.TryGetValue(oldCaId, out var crl) && Revoked(crl).IsSupersetOf(oldSerials),
                $"{instance.InstanceId} dropped CA {oldCaId} holding {(crl is null ? "no CRL of it" : $"a CRL of it revoking [{string.Join(", ", Revoked(crl))}]")}, not one revoking [{string.Join(", ", oldSerials)}]");
            // The old certificates were superseded by certificates naming the same addresses: no live SA was cut for them.
            Assert.Empty(state.CutPeers);
            Assert.True(state.CaRemovalPending);
        }
        Assert.Contains(mesh.Logs, l => l.Contains($"CA {oldCaId} retired: revoked its 3 unexpired certificates", StringComparison.Ordinal));
    }

    private static string Ids(params string[] caIds) => string.Join(" + ", caIds.Order(StringComparer.Ordinal));

    private static VirtualHost Host(SimInstance instance) => Assert.IsType<VirtualHost>(instance.Runtime);

    private static HashSet<string> BundleCaIds(string? pem)
    {
        var cas = new X509Certificate2Collection();
        if (pem is not null) cas.ImportFromPem(pem);
        var ids = cas.Select(ca => Convert.ToHexStringLower(SHA256.HashData(ca.RawData))[..16]).ToHashSet(StringComparer.Ordinal);
        foreach (var ca in cas) ca.Dispose();
        return ids;
    }

    /// <summary>Whether the certificate was signed by the CA whose PEM is <paramref name="caPem"/>.</summary>
    private static bool SignedBy(string? pem, byte[] caPem)
    {
        if (pem is null) return false;
        using var certificate = X509Certificate2.CreateFromPem(pem);
        using var ca = X509Certificate2.CreateFromPem(System.Text.Encoding.ASCII.GetString(caPem));
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationFlags = X509VerificationFlags.IgnoreNotTimeValid;
        return chain.Build(certificate);
    }

    private static HashSet<string> Revoked(byte[] der)
    {
        var crl = new Org.BouncyCastle.X509.X509CrlParser().ReadCrl(der);
        return (crl.GetRevokedCertificates() ?? new HashSet<Org.BouncyCastle.X509.X509CrlEntry>()).Select(e => e.SerialNumber.ToString(16)).ToHashSet(StringComparer.Ordinal);
    }
}
