using IpsecMesh.Core.Options;
using Microsoft.Extensions.Logging;

namespace IpsecMesh.Core.Rollout;

/// <summary>
/// Rolls a new config out in waves (<see cref="RolloutWaves"/>): the canaries first, the next wave
/// only once every host admitted so far runs the target and has soaked for
/// <see cref="IpsecMeshOptions.RolloutWaveSoak"/>. A host whose apply of the target fails stops the
/// roll-out: every host not yet on the target keeps the last good config until an operator
/// publishes another. Level-triggered: progress is read from the fleet's sealed config tags at each
/// <see cref="AdvanceAsync"/>, never from what an event said. The state survives restarts and
/// leaders (<see cref="RolloutStore"/>).
/// </summary>
public sealed class ConfigRollout(RolloutStore store, IpsecMeshOptions options, TimeProvider time, ILogger<ConfigRollout> logger) : IDisposable
{
    private readonly RolloutWaves _waves = RolloutWaves.TryParse(options.RolloutWaves, out var waves) is null ? waves
        : throw new ArgumentException($"RolloutWaves '{options.RolloutWaves}' is not valid", nameof(options));
    private readonly SemaphoreSlim _gate = new(1, 1);
    private RolloutState _state = RolloutState.Empty;
    private HashSet<string> _admitted = new(StringComparer.Ordinal);
    private RolloutProgress _progress = new(null, null, 0, 0, 0, 0, 0, null);

    public ConfigGeneration? LastGood => _state.LastGood;

    public ConfigGeneration? Target => _state.Target;

    public RolloutProgress Progress => _progress;

    /// <summary>Reads the stored state; a copy that does not verify is reported and ignored.</summary>
    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var loaded = await store.LoadAsync(cancellationToken);
            if (loaded is null) RolloutLog.StateRejected(logger, RolloutStore.ObjectKey);
            _state = loaded ?? RolloutState.Empty;
            _admitted.Clear();
            Publish(0, 0);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// The newest valid config. The first one ever becomes the last good config at once (no host
    /// runs anything yet); one equal to the last good ends a roll-out (an operator's revert); any
    /// other becomes the target of a new roll-out that starts at the canaries.
    /// </summary>
    public async Task OfferAsync(ConfigGeneration candidate, CancellationToken cancellationToken)
    {
        if (candidate.Id == _state.Target?.Id || (_state.Target is null && candidate.Id == _state.LastGood?.Id)) return;
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var now = time.GetUtcNow();
            if (_state.LastGood is null)
            {
                _state = RolloutState.Empty with { LastGood = candidate, WaveStartedAt = now };
                RolloutLog.FirstConfig(logger, candidate.Id);
            }
            else if (candidate.Id == _state.LastGood.Id)
            {
                RolloutLog.RolloutAbandoned(logger, _state.Target?.Id ?? "", candidate.Id);
                _state = _state with { Target = null, Wave = 0, WaveCompletedAt = null, Stopped = null };
            }
            else if (candidate.Id != _state.Target?.Id)
            {
                RolloutLog.RolloutStarted(logger, candidate.Id, _state.LastGood.Id, options.RolloutWaves);
                _state = _state with { Target = candidate, Wave = 0, WaveStartedAt = now, WaveCompletedAt = null, Stopped = null };
            }
            _admitted.Clear();
            await store.SaveAsync(_state, cancellationToken);
            Publish(0, _progress.Fleet);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The config an instance should run: the target once it runs it or its wave admits it, else the last good one.</summary>
    public ConfigGeneration? GenerationFor(string instanceId, bool runsTarget)
    {
        var state = _state;
        if (state.Target is null) return state.LastGood;
        if (runsTarget) return state.Target;
        return state.Stopped is null && _admitted.Contains(instanceId) ? state.Target : state.LastGood;
    }

    /// <summary>A host failed to apply the target config: the roll-out stops where it is.</summary>
    public async Task ReportFailureAsync(string instanceId, string reason, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_state.Target is null || _state.Stopped is not null) return;
            _state = _state with { Stopped = new RolloutStop(instanceId, reason, time.GetUtcNow()) };
            RolloutLog.RolloutStopped(logger, _state.Target.Id, _state.Wave, instanceId, reason, _state.LastGood?.Id ?? "");
            await store.SaveAsync(_state, cancellationToken);
            Publish(_progress.OnTarget, _progress.Fleet);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Admits the current wave's hosts and moves to the next wave, or completes the roll-out, once
    /// every admitted host runs the target (<paramref name="fleet"/>: enabled instances and the
    /// sealed config hash each runs; <paramref name="targetHash"/>: the hash a host on the target runs).
    /// </summary>
    public async Task AdvanceAsync(IReadOnlyCollection<(string InstanceId, string? AppliedHash)> fleet, string? targetHash, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var onTarget = targetHash is null ? 0 : fleet.Count(h => h.AppliedHash == targetHash);
            while (_state.Target is { } target && _state.Stopped is null && targetHash is not null)
            {
                var order = RolloutWaves.Order(target.Id, fleet.Select(h => h.InstanceId));
                _admitted = new HashSet<string>(order.Take(_waves.Admitted(_state.Wave, order.Count)), StringComparer.Ordinal);
                var pending = fleet.Where(h => _admitted.Contains(h.InstanceId) && h.AppliedHash != targetHash).Select(h => h.InstanceId).ToList();
                var now = time.GetUtcNow();
                if (pending.Count > 0 && now - _state.WaveStartedAt < options.RolloutWaveTimeout) break;
                if (pending.Count > 0) RolloutLog.WaveTimedOut(logger, target.Id, _state.Wave, pending.Count, string.Join(' ', pending.Take(10)));
                if (_state.WaveCompletedAt is null)
                {
                    _state = _state with { WaveCompletedAt = now };
                    await store.SaveAsync(_state, cancellationToken);
                }
                // A wave that admitted nobody (an empty fleet) has nothing to watch.
                if (_admitted.Count > 0 && now - _state.WaveCompletedAt < options.RolloutWaveSoak) break;
                if (_state.Wave >= _waves.Count - 1)
                {
                    RolloutLog.RolloutCompleted(logger, target.Id, fleet.Count);
                    _state = _state with { LastGood = target, Target = null, Wave = 0, WaveStartedAt = now, WaveCompletedAt = null };
                    _admitted.Clear();
                }
                else
                {
                    _state = _state with { Wave = _state.Wave + 1, WaveStartedAt = now, WaveCompletedAt = null };
                    RolloutLog.WaveStarted(logger, target.Id, _state.Wave, _waves.Admitted(_state.Wave, fleet.Count), fleet.Count);
                }
                await store.SaveAsync(_state, cancellationToken);
            }
            Publish(onTarget, fleet.Count);
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();

    private void Publish(int onTarget, int fleet) =>
        _progress = new RolloutProgress(_state.LastGood?.Id, _state.Target?.Id, _state.Wave, _waves.Count, onTarget, _admitted.Count, fleet, _state.Stopped);
}
