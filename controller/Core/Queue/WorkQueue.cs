namespace IpsecMesh.Core.Queue;

/// <summary>
/// A queue of keys with client-go semantics: a key added many times before it is processed is
/// processed once; a key is never handed to two workers at once (a key re-added while in process is
/// handed out again after <see cref="Done"/>); delayed and rate-limited re-adds; drain on shutdown.
/// The queue holds keys, never events: whoever processes a key re-reads its state.
/// </summary>
public sealed class WorkQueue<TKey> : IRetryBackoff<TKey>, IDisposable where TKey : notnull
{
    private readonly object _gate = new();
    private readonly Queue<TKey> _ready = new();
    private readonly HashSet<TKey> _dirty = [];
    private readonly HashSet<TKey> _processing = [];
    private readonly Dictionary<TKey, (DateTimeOffset Due, ITimer Timer)> _delayed = [];
    private readonly Queue<TaskCompletionSource<bool>> _waiters = new();
    private readonly TimeProvider _time;
    private readonly BackoffPolicy _backoff;
    private readonly Dictionary<TKey, int> _failures = [];
    private readonly Dictionary<TKey, DateTimeOffset> _retryAt = [];
    private bool _shuttingDown;

    public WorkQueue(TimeProvider time, BackoffPolicy backoff)
    {
        _time = time;
        _backoff = backoff;
    }

    /// <summary>Keys waiting to be handed out (not those in process or delayed).</summary>
    public int Depth { get { lock (_gate) return _ready.Count; } }

    public int Delayed { get { lock (_gate) return _delayed.Count; } }

    public int InProcess { get { lock (_gate) return _processing.Count; } }

    public void Add(TKey key)
    {
        TaskCompletionSource<bool>? waiter = null;
        lock (_gate)
        {
            if (_shuttingDown || !_dirty.Add(key)) return;
            if (_processing.Contains(key)) return; // handed out again by Done
            _ready.Enqueue(key);
            waiter = NextWaiter();
        }
        waiter?.TrySetResult(true);
    }

    /// <summary>Adds the key after a delay; of several pending delays for one key the earliest wins.</summary>
    public void AddAfter(TKey key, TimeSpan delay)
    {
        if (delay <= TimeSpan.Zero)
        {
            Add(key);
            return;
        }
        lock (_gate)
        {
            if (_shuttingDown) return;
            var due = _time.GetUtcNow() + delay;
            if (_delayed.TryGetValue(key, out var existing))
            {
                if (existing.Due <= due) return;
                existing.Timer.Dispose();
            }
            var timer = _time.CreateTimer(_ => FireDelayed(key, due), null, delay, Timeout.InfiniteTimeSpan);
            _delayed[key] = (due, timer);
        }
    }

    /// <summary>Adds the key after its per-key exponential backoff and counts one more failure for it.</summary>
    public TimeSpan AddRateLimited(TKey key)
    {
        TimeSpan delay;
        lock (_gate)
        {
            var failures = _failures.TryGetValue(key, out var f) ? f + 1 : 1;
            _failures[key] = failures;
            delay = _backoff.Delay(failures);
            _retryAt[key] = _time.GetUtcNow() + delay;
        }
        AddAfter(key, delay);
        return delay;
    }

    /// <summary>Resets the key's backoff, after a success or when it needs no more retries.</summary>
    public void Forget(TKey key)
    {
        lock (_gate)
        {
            _failures.Remove(key);
            _retryAt.Remove(key);
        }
    }

    /// <inheritdoc/>
    public DateTimeOffset? RetryAt(TKey key)
    {
        lock (_gate) return _retryAt.TryGetValue(key, out var at) ? at : null;
    }

    public int Failures(TKey key)
    {
        lock (_gate) return _failures.TryGetValue(key, out var f) ? f : 0;
    }

    /// <summary>Waits for the next key; returns false once the queue is shut down.</summary>
    public async ValueTask<(bool Ok, TKey Key)> TryGetAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            TaskCompletionSource<bool> waiter;
            lock (_gate)
            {
                // Shutdown drains what is in process, not the backlog: a restart's resync finds the rest.
                if (_shuttingDown) return (false, default!);
                if (_ready.Count > 0)
                {
                    var key = _ready.Dequeue();
                    _dirty.Remove(key);
                    _processing.Add(key);
                    return (true, key);
                }
                waiter = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
                _waiters.Enqueue(waiter);
            }
            using (cancellationToken.Register(() => waiter.TrySetCanceled(cancellationToken)))
                await waiter.Task;
        }
    }

    /// <summary>Marks the key as processed; if it was added meanwhile it becomes ready again.</summary>
    public void Done(TKey key)
    {
        TaskCompletionSource<bool>? waiter = null;
        lock (_gate)
        {
            _processing.Remove(key);
            if (_dirty.Contains(key))
            {
                _ready.Enqueue(key);
                waiter = NextWaiter();
            }
        }
        waiter?.TrySetResult(true);
    }

    /// <summary>Stops accepting and handing out keys; waiting workers are released at once.</summary>
    public void ShutDown()
    {
        List<TaskCompletionSource<bool>> waiters;
        lock (_gate)
        {
            _shuttingDown = true;
            foreach (var (_, timer) in _delayed.Values) timer.Dispose();
            _delayed.Clear();
            waiters = [.. _waiters];
            _waiters.Clear();
        }
        foreach (var waiter in waiters) waiter.TrySetResult(false);
    }

    public void Dispose() => ShutDown();

    private void FireDelayed(TKey key, DateTimeOffset due)
    {
        lock (_gate)
        {
            if (!_delayed.TryGetValue(key, out var entry) || entry.Due != due) return;
            _delayed.Remove(key);
            entry.Timer.Dispose();
        }
        Add(key);
    }

    private TaskCompletionSource<bool>? NextWaiter()
    {
        while (_waiters.Count > 0)
        {
            var waiter = _waiters.Dequeue();
            if (!waiter.Task.IsCompleted) return waiter;
        }
        return null;
    }
}
