using System.Text.Json;
using IpsecMesh.Core.Options;
using IpsecMesh.Pki.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace IpsecMesh.Core.Leadership;

/// <summary>
/// Leader election over one S3 object with conditional writes: create with If-None-Match, renew and
/// take over with If-Match on the entity tag last read. A follower judges expiry by how long it has
/// seen the same entity tag (its own clock), never by the timestamps in the object, so clock skew
/// between replicas does not matter. The leader steps down when it cannot renew within the deadline,
/// and releases the lease on graceful shutdown.
/// </summary>
public sealed class S3LeaseLeadership(IObjectStore store, IpsecMeshOptions options, TimeProvider time, ILogger<S3LeaseLeadership> logger)
    : BackgroundService, ILeadership
{
    private readonly LeaderElectionOptions _settings = options.LeaderElection;
    private readonly string _identity = $"{Environment.MachineName}-{Guid.NewGuid().ToString("N")[..8]}";
    private readonly object _gate = new();
    private TaskCompletionSource<CancellationToken> _acquired = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private CancellationTokenSource? _term;
    private string? _etag;
    private string? _observedEtag;
    private DateTimeOffset _observedAt;
    private DateTimeOffset _lastRenew;

    public string Identity => _identity;

    public bool IsLeader { get { lock (_gate) return _term is { IsCancellationRequested: false }; } }

    public Task<CancellationToken> WaitForLeadershipAsync(CancellationToken cancellationToken)
    {
        Task<CancellationToken> acquired;
        lock (_gate) acquired = _acquired.Task;
        return acquired.WaitAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_settings.RetryPeriod, time);
        do
        {
            try
            {
                await TryAcquireOrRenewAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                Log.LeaseError(logger, e.GetType().Name);
            }
            if (IsLeader && time.GetUtcNow() - _lastRenew > _settings.RenewDeadline) StepDown("renew deadline passed");
        }
        while (await WaitTick(timer, stoppingToken));
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (!IsLeader || _etag is null) return;
        StepDown("shutting down");
        var released = new LeaseRecord("", time.GetUtcNow(), DateTimeOffset.UnixEpoch, 0);
        try
        {
            if (await store.PutIfMatchAsync(_settings.LeaseKey, Serialize(released), _etag, cancellationToken)) Log.Released(logger, _identity);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.LeaseError(logger, e.GetType().Name);
        }
    }

    internal async Task TryAcquireOrRenewAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var current = await store.GetAsync(_settings.LeaseKey, cancellationToken);
        if (current is null)
        {
            var record = new LeaseRecord(_identity, now, now, _settings.LeaseDuration.TotalSeconds);
            if (await store.PutIfAbsentAsync(_settings.LeaseKey, Serialize(record), cancellationToken)) await BecomeLeaderAsync(cancellationToken);
            return;
        }
        if (current.ETag != _observedEtag)
        {
            _observedEtag = current.ETag;
            _observedAt = now;
        }
        var lease = Deserialize(current.Content);
        if (lease?.Holder == _identity)
        {
            var renewed = lease with { RenewedAt = now };
            if (await store.PutIfMatchAsync(_settings.LeaseKey, Serialize(renewed), current.ETag, cancellationToken))
            {
                await RefreshEtagAsync(cancellationToken);
                _lastRenew = now;
                return;
            }
            StepDown("lease taken by another replica");
            return;
        }
        if (IsLeader) StepDown("lease held by another replica");
        var expired = lease is null || lease.Holder.Length == 0 || now - _observedAt >= _settings.LeaseDuration;
        if (!expired) return;
        var mine = new LeaseRecord(_identity, now, now, _settings.LeaseDuration.TotalSeconds);
        if (await store.PutIfMatchAsync(_settings.LeaseKey, Serialize(mine), current.ETag, cancellationToken)) await BecomeLeaderAsync(cancellationToken);
    }

    private async Task BecomeLeaderAsync(CancellationToken cancellationToken)
    {
        await RefreshEtagAsync(cancellationToken);
        _lastRenew = time.GetUtcNow();
        lock (_gate)
        {
            _term = new CancellationTokenSource();
            _acquired.TrySetResult(_term.Token);
        }
        Log.Acquired(logger, _identity);
    }

    private async Task RefreshEtagAsync(CancellationToken cancellationToken)
    {
        var stored = await store.GetAsync(_settings.LeaseKey, cancellationToken);
        _etag = stored?.ETag;
        _observedEtag = stored?.ETag;
        _observedAt = time.GetUtcNow();
    }

    private void StepDown(string why)
    {
        CancellationTokenSource? term;
        lock (_gate)
        {
            term = _term;
            _term = null;
            if (_acquired.Task.IsCompleted) _acquired = new TaskCompletionSource<CancellationToken>(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        if (term is null) return;
        Log.SteppedDown(logger, _identity, why);
        term.Cancel();
        term.Dispose();
    }

    private static async Task<bool> WaitTick(PeriodicTimer timer, CancellationToken cancellationToken)
    {
        try { return await timer.WaitForNextTickAsync(cancellationToken); }
        catch (OperationCanceledException) { return false; }
    }

    private static byte[] Serialize(LeaseRecord record) => JsonSerializer.SerializeToUtf8Bytes(record);

    private static LeaseRecord? Deserialize(ReadOnlyMemory<byte> content)
    {
        try { return JsonSerializer.Deserialize<LeaseRecord>(content.Span); }
        catch (JsonException) { return null; }
    }
}
