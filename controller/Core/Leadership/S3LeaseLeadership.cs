using IpsecMesh.Core.Options;
using IpsecMesh.Pki.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace IpsecMesh.Core.Leadership;

/// <summary>
/// Leader election over one S3 object with conditional writes, after client-go's leaderelection:
/// create with If-None-Match, renew and take over with If-Match on the entity tag just read. A
/// follower judges expiry by how long it has seen the same entity tag on its own clock (never by the
/// timestamps inside the object), so clock skew between replicas does not matter. The leader steps
/// down when it has not renewed within the renew deadline, which a timer enforces even while an S3
/// call hangs; every call is bounded by that deadline too. The lease is released on graceful shutdown.
/// </summary>
public sealed class S3LeaseLeadership : BackgroundService, ILeadership
{
    private readonly IObjectStore _store;
    private readonly TimeProvider _time;
    private readonly ILogger<S3LeaseLeadership> _logger;
    private readonly LeaderElectionOptions _settings;
    private readonly ITimer _deadline;
    private readonly object _gate = new();
    private TaskCompletionSource<CancellationToken> _acquired = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private CancellationTokenSource? _term;
    private string? _observedEtag;
    private DateTimeOffset _observedAt;

    public S3LeaseLeadership(IObjectStore store, IpsecMeshOptions options, TimeProvider time, ILogger<S3LeaseLeadership> logger)
    {
        _store = store;
        _time = time;
        _logger = logger;
        _settings = options.LeaderElection;
        _deadline = time.CreateTimer(_ => StepDown("renew deadline passed"), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public string Identity { get; } = $"{Environment.MachineName}-{Guid.NewGuid().ToString("N")[..8]}";

    public bool IsLeader { get { lock (_gate) return _term is not null; } }

    public Task<CancellationToken> WaitForLeadershipAsync(CancellationToken cancellationToken)
    {
        Task<CancellationToken> acquired;
        lock (_gate) acquired = _acquired.Task;
        return acquired.WaitAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_settings.RetryPeriod, _time);
        try
        {
            do
            {
                await TickAsync(stoppingToken);
            }
            while (await WaitTick(timer, stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: StopAsync releases the lease.
        }
    }

    /// <summary>One attempt to acquire or renew. Never throws but for cancellation by <paramref name="stoppingToken"/>.</summary>
    internal async Task TickAsync(CancellationToken stoppingToken)
    {
        // A hung call must not outlive the renew deadline: the deadline timer would step down anyway,
        // and a late write of ours is harmless (it only ever lands If-Match).
        using var timeout = new CancellationTokenSource(_settings.RenewDeadline, _time);
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, timeout.Token);
        try
        {
            await TryAcquireOrRenewAsync(attempt.Token);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            LeadershipLog.LeaseError(_logger, e.GetType().Name);
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        StepDown("shutting down");
        try
        {
            var current = await _store.GetAsync(_settings.LeaseKey, cancellationToken);
            if (current is null || LeaseRecord.Read(current.Content)?.Holder != Identity) return;
            var released = new LeaseRecord("", _time.GetUtcNow(), DateTimeOffset.UnixEpoch, 0);
            if (await _store.PutIfMatchAsync(_settings.LeaseKey, LeaseRecord.Write(released), current.ETag, cancellationToken)) LeadershipLog.Released(_logger, Identity);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LeadershipLog.LeaseError(_logger, e.GetType().Name);
        }
    }

    public override void Dispose()
    {
        _deadline.Dispose();
        base.Dispose();
    }

    private async Task TryAcquireOrRenewAsync(CancellationToken cancellationToken)
    {
        // The deadline counts from before the read: the write it leads to can only land later, and a
        // follower starts its lease-duration wait only once it has read that write.
        var started = _time.GetUtcNow();
        var current = await _store.GetAsync(_settings.LeaseKey, cancellationToken);
        var seen = _time.GetUtcNow();
        if (current is null)
        {
            var record = new LeaseRecord(Identity, seen, seen, _settings.LeaseDuration.TotalSeconds);
            if (await _store.PutIfAbsentAsync(_settings.LeaseKey, LeaseRecord.Write(record), cancellationToken)) Lead(started);
            return;
        }
        if (current.ETag != _observedEtag)
        {
            _observedEtag = current.ETag;
            _observedAt = seen;
        }
        var lease = LeaseRecord.Read(current.Content);
        if (lease?.Holder == Identity)
        {
            // Ours, whether we lead now or stepped down after a missed deadline: a successful If-Match
            // write proves nobody took over, so leading (again) is safe.
            if (await _store.PutIfMatchAsync(_settings.LeaseKey, LeaseRecord.Write(lease with { RenewedAt = seen }), current.ETag, cancellationToken)) Lead(started);
            else StepDown("lease taken by another replica");
            return;
        }
        StepDown("lease held by another replica");
        if (!IsExpired(lease, seen)) return;
        var mine = new LeaseRecord(Identity, seen, seen, _settings.LeaseDuration.TotalSeconds);
        if (await _store.PutIfMatchAsync(_settings.LeaseKey, LeaseRecord.Write(mine), current.ETag, cancellationToken)) Lead(started);
    }

    /// <summary>
    /// Expired once this replica has seen the same entity tag for the holder's lease duration (client-go's rule),
    /// clamped to this replica's own: anyone who can write <c>leader/</c> can write the object, and a lease it claims
    /// to be a day long must not leave the mesh without a leader for longer than one configured lease.
    /// </summary>
    private bool IsExpired(LeaseRecord? lease, DateTimeOffset now)
    {
        if (lease is null || lease.Holder.Length == 0) return true;
        var duration = lease.LeaseSeconds > 0 ? TimeSpan.FromSeconds(Math.Min(lease.LeaseSeconds, _settings.LeaseDuration.TotalSeconds)) : _settings.LeaseDuration;
        return now - _observedAt >= duration;
    }

    private void Lead(DateTimeOffset renewedAt)
    {
        var remaining = renewedAt + _settings.RenewDeadline - _time.GetUtcNow();
        if (remaining <= TimeSpan.Zero)
        {
            StepDown("renew deadline passed");
            return;
        }
        bool acquired;
        lock (_gate)
        {
            _deadline.Change(remaining, Timeout.InfiniteTimeSpan);
            acquired = _term is null;
            if (acquired)
            {
                _term = new CancellationTokenSource();
                _acquired.TrySetResult(_term.Token);
            }
        }
        if (acquired) LeadershipLog.Acquired(_logger, Identity);
    }

    private void StepDown(string why)
    {
        CancellationTokenSource? term;
        lock (_gate)
        {
            term = _term;
            _term = null;
            _deadline.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            if (_acquired.Task.IsCompleted) _acquired = new TaskCompletionSource<CancellationToken>(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        if (term is null) return;
        LeadershipLog.SteppedDown(_logger, Identity, why);
        // Not disposed: the loops may still link to its token; cancelling is what ends the term.
        term.Cancel();
    }

    private static async Task<bool> WaitTick(PeriodicTimer timer, CancellationToken cancellationToken)
    {
        try { return await timer.WaitForNextTickAsync(cancellationToken); }
        catch (OperationCanceledException) { return false; }
    }
}
