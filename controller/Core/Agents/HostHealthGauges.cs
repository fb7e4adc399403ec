using System.Diagnostics;
using System.Diagnostics.Metrics;
using IpsecMesh.Core.Options;

namespace IpsecMesh.Core.Agents;

/// <summary>
/// The host IPsec health gauges. Per instance they cost one series per enabled host per metric (shunts:
/// per kind too); aggregated they are fleet-wide sums with a fixed number of series.
/// </summary>
public sealed class HostHealthGauges
{
    private readonly HostHealthCollector _hosts;
    private readonly bool _perInstance;

    public HostHealthGauges(Meter meter, HostHealthCollector hosts, IpsecMeshOptions options)
    {
        _hosts = hosts;
        _perInstance = options.HostMetrics != HostMetricsModes.Aggregated;
        meter.CreateObservableGauge("ipsec_mesh.host.ipsec_sas", () => PerHost(h => h.IpsecSas), "{sa}", "Active IPsec (Child) SAs per host");
        meter.CreateObservableGauge("ipsec_mesh.host.ike_sas", () => PerHost(h => h.IkeSas), "{sa}", "Established IKE SAs per host");
        meter.CreateObservableGauge("ipsec_mesh.host.ike_failures", () => PerHost(h => h.IkeFailures), "{failure}",
            "IKE exchanges that failed, per host, since pluto started");
        meter.CreateObservableGauge("ipsec_mesh.host.esp_errors", () => PerHost(h => h.EspErrors), "{error}", "Kernel XFRM error counters summed, per host");
        meter.CreateObservableGauge("ipsec_mesh.host.shunts", Shunts, "{shunt}", "Opportunistic IPsec shunts per host and kind");
        meter.CreateObservableGauge("ipsec_mesh.hosts.reporting", Reporting, "{host}",
            "Enabled hosts whose last health report is current, by whether libreswan runs");
    }

    private IEnumerable<Measurement<long>> PerHost(Func<HostHealth, long> value)
    {
        var latest = _hosts.Latest;
        if (!_perInstance)
        {
            if (latest.Count > 0) yield return new Measurement<long>(latest.Sum(value));
            yield break;
        }
        foreach (var host in latest) yield return new Measurement<long>(value(host), new TagList { { "instance.id", host.InstanceId } });
    }

    private IEnumerable<Measurement<long>> Shunts()
    {
        var latest = _hosts.Latest;
        if (!_perInstance)
        {
            foreach (var kind in latest.SelectMany(h => h.Shunts).GroupBy(s => s.Key, StringComparer.Ordinal))
                yield return new Measurement<long>(kind.Sum(s => s.Value), new TagList { { "kind", kind.Key } });
            yield break;
        }
        foreach (var host in latest)
            foreach (var (kind, count) in host.Shunts)
                yield return new Measurement<long>(count, new TagList { { "instance.id", host.InstanceId }, { "kind", kind } });
    }

    private IEnumerable<Measurement<long>> Reporting()
    {
        var latest = _hosts.Latest;
        yield return new Measurement<long>(latest.Count(h => h.Running), new TagList { { "running", "true" } });
        yield return new Measurement<long>(latest.Count(h => !h.Running), new TagList { { "running", "false" } });
    }
}
