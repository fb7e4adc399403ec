using System.Threading.Channels;
using IpsecMesh.Core.Telemetry;

namespace IpsecMesh.Core.Cloud;

/// <summary>
/// Coalesces calls that AWS lets us batch (DescribeInstances by id, CreateTags with identical tags,
/// SendCommand with identical parameters, DescribeInstanceInformation): items submitted within one
/// window under the same group key go out in one call of at most <c>maxBatch</c> items. API calls,
/// not CPU, bound this controller at scale.
/// </summary>
public sealed class Batcher<TItem, TResult> : IAsyncDisposable where TItem : notnull
{
    private readonly Channel<Pending> _channel = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Func<string, IReadOnlyList<TItem>, CancellationToken, Task<IReadOnlyDictionary<TItem, TResult>>> _flush;
    private readonly int _maxBatch;
    private readonly TimeSpan _window;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _loop;

    public Batcher(int maxBatch, TimeSpan window, TimeProvider time,
        Func<string, IReadOnlyList<TItem>, CancellationToken, Task<IReadOnlyDictionary<TItem, TResult>>> flush)
    {
        _maxBatch = maxBatch;
        _window = window;
        _time = time;
        _flush = flush;
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Submits one item; completes with its result, or the batch call's exception.</summary>
    public Task<TResult> SubmitAsync(string group, TItem item, CancellationToken cancellationToken)
    {
        var pending = new Pending(group, item, new TaskCompletionSource<TResult>(TaskCreationOptions.RunContinuationsAsynchronously), BatchTrace.Capture(), cancellationToken);
        ObjectDisposedException.ThrowIf(!_channel.Writer.TryWrite(pending), this);
        return pending.Completion.Task.WaitAsync(cancellationToken);
    }

    private async Task RunAsync()
    {
        var reader = _channel.Reader;
        try
        {
            while (await reader.WaitToReadAsync(_stopping.Token))
            {
                if (_window > TimeSpan.Zero) await Task.Delay(_window, _time, _stopping.Token);
                else await Task.Yield();
                var drained = new List<Pending>();
                while (reader.TryRead(out var pending))
                {
                    // A submitter that gave up (shutdown, or leadership lost) must not have its call made after all:
                    // a replica that stepped down sends nothing more.
                    if (pending.Cancellation.IsCancellationRequested) pending.Completion.TrySetCanceled(pending.Cancellation);
                    else drained.Add(pending);
                }
                var calls = drained.GroupBy(p => p.Group)
                    .SelectMany(g => g.Chunk(_maxBatch).Select(chunk => FlushAsync(g.Key, chunk)));
                await Task.WhenAll(calls);
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // Shutting down: fail whatever is still queued below.
        }
        while (reader.TryRead(out var left)) left.Completion.TrySetCanceled();
    }

    private async Task FlushAsync(string group, Pending[] chunk)
    {
        // One item may be submitted twice in a window (two reconciles of one key never overlap, but a
        // status poll and a reconcile might); the call gets each item once and every waiter its result.
        var items = chunk.Select(p => p.Item).Distinct().ToList();
        using var trace = BatchTrace.Begin(chunk.Select(p => p.Submitter));
        // Once every submitter has given up (shutdown, or leadership lost), the call and the SDK's retries
        // of it stop too: otherwise a replica that stepped down could land a SendCommand, after backoffs,
        // when the next leader has already listed the commands in flight and sends its own.
        using var abandoned = new AbandonedWhenAllGiveUp(chunk.Select(p => p.Cancellation).ToList(), _stopping.Token);
        try
        {
            var results = await _flush(group, items, abandoned.Token);
            foreach (var pending in chunk)
            {
                if (results.TryGetValue(pending.Item, out var result)) pending.Completion.TrySetResult(result);
                else pending.Completion.TrySetException(new InvalidOperationException($"the batched call returned no result for '{pending.Item}'"));
            }
        }
        catch (Exception e)
        {
            foreach (var pending in chunk) pending.Completion.TrySetException(e);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _channel.Writer.TryComplete();
        await _stopping.CancelAsync();
        try { await _loop; }
        catch (OperationCanceledException) { }
        _stopping.Dispose();
    }

    /// <summary>A token cancelled with <c>stopping</c>, or once every one of <c>submitters</c> is (never while one cannot be).</summary>
    private sealed class AbandonedWhenAllGiveUp : IDisposable
    {
        private readonly CancellationTokenSource _source;
        private readonly List<CancellationTokenRegistration> _registrations = [];
        private int _left;

        public AbandonedWhenAllGiveUp(IReadOnlyList<CancellationToken> submitters, CancellationToken stopping)
        {
            _source = CancellationTokenSource.CreateLinkedTokenSource(stopping);
            if (submitters.Any(t => !t.CanBeCanceled)) return;
            _left = submitters.Count;
            foreach (var token in submitters) _registrations.Add(token.Register(GaveUp));
        }

        public CancellationToken Token => _source.Token;

        private void GaveUp()
        {
            if (Interlocked.Decrement(ref _left) == 0) _source.Cancel();
        }

        public void Dispose()
        {
            // Unregistering waits for a callback already running, so none touches the disposed source.
            foreach (var registration in _registrations) registration.Dispose();
            _source.Dispose();
        }
    }

    private sealed record Pending(string Group, TItem Item, TaskCompletionSource<TResult> Completion, System.Diagnostics.ActivityContext Submitter, CancellationToken Cancellation);
}
