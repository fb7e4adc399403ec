using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace IpsecMesh.Core.Telemetry;

/// <summary>
/// Listens to the controller's Meter in process and keeps current values: counter sums and the last
/// gauge readings, each keyed by instrument name and attributes. For <c>simulate --json</c> and tests.
/// </summary>
public sealed class MetricsSnapshot : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, double> _sums = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, double> _gauges = new(StringComparer.Ordinal);

    public MetricsSnapshot()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == IpsecMeshTelemetry.Name) listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(i, v, tags));
        _listener.Start();
    }

    /// <summary>Current values: "name{attr=value,…}" → value; histograms as their sum of recorded values.</summary>
    public IReadOnlyDictionary<string, double> Read()
    {
        _gauges.Clear();
        _listener.RecordObservableInstruments();
        return _sums.Concat(_gauges).OrderBy(kv => kv.Key, StringComparer.Ordinal).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
    }

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var key = instrument.Name + (tags.Length == 0 ? "" : "{" + string.Join(",", tags.ToArray().OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => $"{t.Key}={t.Value}")) + "}");
        if (instrument.IsObservable) _gauges[key] = value;
        else _sums.AddOrUpdate(key, value, (_, old) => old + value);
    }

    public void Dispose() => _listener.Dispose();
}
