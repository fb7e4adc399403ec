using System.Diagnostics.Metrics;
using IpsecMesh.Core.Agents;
using IpsecMesh.Core.Options;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace IpsecMesh.Core.Tests.Telemetry;

public sealed class HostHealthGaugesTests
{
    private static readonly Dictionary<string, string> TwoHosts = new(StringComparer.Ordinal)
    {
        ["i-0000000000000000a"] = Status(running: true, sas: 3, oeFailed: 1),
        ["i-0000000000000000b"] = Status(running: false, sas: 0, oeFailed: 2),
    };

    [Fact]
    public async Task PerInstanceGaugesCarryTheInstanceIdAndEachHostsValues()
    {
        var read = await CollectAndReadAsync(HostMetricsModes.PerInstance);

        Assert.Equal(3, read["ipsec_mesh.host.ipsec_sas{instance.id=i-0000000000000000a}"]);
        Assert.Equal(0, read["ipsec_mesh.host.ipsec_sas{instance.id=i-0000000000000000b}"]);
        Assert.Equal(7, read["ipsec_mesh.host.esp_errors{instance.id=i-0000000000000000a}"]);
        Assert.Equal(2, read["ipsec_mesh.host.shunts{instance.id=i-0000000000000000b,kind=oeFailed}"]);
        Assert.Equal(1, read["ipsec_mesh.hosts.reporting{running=false}"]);
    }

    [Fact]
    public async Task AggregatedGaugesSumTheFleetWithoutInstanceIds()
    {
        var read = await CollectAndReadAsync(HostMetricsModes.Aggregated);

        Assert.DoesNotContain(read.Keys, k => k.Contains("instance.id", StringComparison.Ordinal));
        Assert.Equal(3, read["ipsec_mesh.host.ipsec_sas"]);
        Assert.Equal(14, read["ipsec_mesh.host.esp_errors"]);
        Assert.Equal(3, read["ipsec_mesh.host.shunts{kind=oeFailed}"]);
        Assert.Equal(1, read["ipsec_mesh.hosts.reporting{running=true}"]);
    }

    [Fact]
    public void ValidationNamesAnUnknownHostMetricsMode()
    {
        var errors = OptionsValidation.Validate(new IpsecMeshOptions { HostMetrics = "per-host", Workers = 0 }, requireAwsResources: false);

        Assert.Contains(errors, e => e.StartsWith("IpsecMesh:HostMetrics: 'per-host' must be", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("IpsecMesh:Workers", StringComparison.Ordinal));
        Assert.Empty(OptionsValidation.Validate(new IpsecMeshOptions { HostMetrics = HostMetricsModes.Aggregated }, requireAwsResources: false));
    }

    private static async Task<Dictionary<string, double>> CollectAndReadAsync(string mode)
    {
        var options = new IpsecMeshOptions { HostMetrics = mode };
        var collector = new HostHealthCollector(new StatusOnlySsm(TwoHosts), options, new FakeTimeProvider(DateTimeOffset.UnixEpoch), NullLogger<HostHealthCollector>.Instance);
        await collector.CollectAsync(TestContext.Current.CancellationToken);
        await collector.CollectAsync(TestContext.Current.CancellationToken);
        using var meter = new Meter($"test-{Guid.NewGuid():N}");
        _ = new HostHealthGauges(meter, collector, options);
        return Read(meter);
    }

    private static Dictionary<string, double> Read(Meter meter)
    {
        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter == meter) l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var attributes = tags.ToArray().OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => $"{t.Key}={t.Value}").ToList();
            values[instrument.Name + (attributes.Count == 0 ? "" : "{" + string.Join(",", attributes) + "}")] = value;
        });
        listener.Start();
        listener.RecordObservableInstruments();
        return values;
    }

    private static string Status(bool running, int sas, int oeFailed) =>
        $$$"""{"ipsecMesh":1,"verb":"status","ok":true,"running":{{{(running ? "true" : "false")}}},"ipsecSAs":{{{sas}}},"ikeSAs":{{{sas}}},"ikeFailures":0,"shunts":{"oeFailed":{{{oeFailed}}},"oeFailing":0,"negotiating":0},"xfrm":{"inError":1,"inNoStates":2,"inTmplMismatch":0,"outNoStates":4,"outPolBlock":0}}""";
}
