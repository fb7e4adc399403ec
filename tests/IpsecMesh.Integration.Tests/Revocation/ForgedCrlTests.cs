using IpsecMesh.Core.Telemetry;
using IpsecMesh.Integration.Tests.Support;
using IpsecMesh.Pki.Storage;
using IpsecMesh.Simulator;
using Microsoft.Extensions.DependencyInjection;
using Org.BouncyCastle.X509;

namespace IpsecMesh.Integration.Tests.Revocation;

/// <summary>A CRL object that a writer of <c>issued/</c> replaced is reported, counted in the metrics, replaced, and never sent to a host.</summary>
public class ForgedCrlTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Garbage_in_the_crl_object_is_counted_replaced_by_a_verified_crl_and_never_reaches_a_host()
    {
        using var metrics = new MetricsSnapshot();
        await using var mesh = new MeshFixture(settings: new Dictionary<string, string?> { ["IpsecMesh:ResyncInterval"] = "00:02:00" });
        var instance = mesh.Launch();
        var controller = await mesh.StartControllerAsync(Token);
        await mesh.WaitForTagAsync(instance, "enabled");
        var crlKey = Assert.Single(mesh.Aws.ListKeys("issued/crl/"));
        var caId = crlKey["issued/crl/".Length..^".crl".Length];
        var garbage = "not a CRL at all"u8.ToArray();

        await controller.Services.GetRequiredService<IObjectStore>().PutAsync(crlKey, garbage, Token);
        await mesh.WaitForAsync(() => metrics.Read().GetValueOrDefault("ipsec_mesh.crl.stored_rejected{reason=unparseable}") >= 1, "the rejection in the metrics");
        await mesh.WaitForAsync(() => !mesh.Aws.ReadObject(crlKey)!.AsSpan().SequenceEqual(garbage), "a new CRL in place of the garbage");

        var replaced = new X509CrlParser().ReadCrl(mesh.Aws.ReadObject(crlKey)!);
        Assert.NotNull(replaced);
        Assert.False(Host(instance).State.Crls.TryGetValue(caId, out var held) && held.AsSpan().SequenceEqual(garbage));
        Assert.Contains(mesh.Logs, line => line.Contains("does not verify", StringComparison.Ordinal));
    }

    private static VirtualHost Host(SimInstance instance) => Assert.IsType<VirtualHost>(instance.Runtime);
}
