using IpsecMesh.Core.Telemetry;
using IpsecMesh.Integration.Tests.Support;

namespace IpsecMesh.Integration.Tests.Telemetry;

/// <summary>Host IPsec health of enabled virtual hosts reaches the gauges, per instance or aggregated.</summary>
public sealed class HostHealthMetricsTests
{
    [Fact]
    public async Task EveryEnabledHostReportsNonZeroSaGaugesUnderItsInstanceId()
    {
        var ct = TestContext.Current.CancellationToken;
        using var metrics = new MetricsSnapshot();
        await using var mesh = new MeshFixture(settings: new Dictionary<string, string?> { ["IpsecMesh:HostStatusInterval"] = "00:00:30" });
        var instances = Enumerable.Range(0, 3).Select(_ => mesh.Launch()).ToList();
        await mesh.StartControllerAsync(ct);
        foreach (var instance in instances) await mesh.WaitForTagAsync(instance, "enabled");

        // Each virtual host has an SA with each enabled peer: two here.
        await mesh.WaitForAsync(() => instances.All(i => Value(metrics, $"ipsec_mesh.host.ipsec_sas{{instance.id={i.InstanceId}}}") >= 2),
            "every enabled host's IPsec SA gauge");
        var read = metrics.Read();
        foreach (var instance in instances)
        {
            Assert.True(read[$"ipsec_mesh.host.ike_sas{{instance.id={instance.InstanceId}}}"] >= 2);
            Assert.Equal(0, read[$"ipsec_mesh.host.ike_failures{{instance.id={instance.InstanceId}}}"]);
            Assert.Equal(0, read[$"ipsec_mesh.host.esp_errors{{instance.id={instance.InstanceId}}}"]);
            Assert.Equal(0, read[$"ipsec_mesh.host.shunts{{instance.id={instance.InstanceId},kind=oeFailed}}"]);
        }
    }

    [Fact]
    public async Task AggregatedHostMetricsCarryNoInstanceId()
    {
        var ct = TestContext.Current.CancellationToken;
        using var metrics = new MetricsSnapshot();
        await using var mesh = new MeshFixture(settings: new Dictionary<string, string?>
        {
            ["IpsecMesh:HostStatusInterval"] = "00:00:30",
            ["IpsecMesh:HostMetrics"] = "aggregated",
        });
        var instances = Enumerable.Range(0, 3).Select(_ => mesh.Launch()).ToList();
        await mesh.StartControllerAsync(ct);
        foreach (var instance in instances) await mesh.WaitForTagAsync(instance, "enabled");

        await mesh.WaitForAsync(() => Value(metrics, "ipsec_mesh.host.ipsec_sas") >= 6, "the fleet-wide IPsec SA sum (3 hosts x 2 peers)");
        var read = metrics.Read();
        Assert.DoesNotContain(read.Keys, key => instances.Any(i => key.Contains(i.InstanceId, StringComparison.Ordinal)));
        Assert.True(read["ipsec_mesh.host.ike_sas"] >= 6);
    }

    private static double Value(MetricsSnapshot metrics, string key) => metrics.Read().GetValueOrDefault(key);
}
