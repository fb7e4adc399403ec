using System.Threading.Channels;
using IpsecMesh.Core.Telemetry;

namespace IpsecMesh.Core.Cloud;

/// <summary>
/// Coalesces calls that AWS lets us batch (DescribeInstances by id, CreateTags with identical tags,
/// SendCommand with identical parameters, DescribeInstanceInformation): items submitted within one
/// window under the same group key go out in one call of at most <c>maxBatch</c> items; while items
/// keep arriving, a part-full batch waits up to <see cref="MaxLingerWindows"/> more windows. API calls,
/// not CPU, bound this controller at scale.
/// <para>
/// A submitter's task ends only once nothing of its item is in flight: either the item was dropped
/// before its call, or the call it joined has ended. So when a term's loops have stopped, none of
/// their calls can still land: the next term (of this replica or another) lists what is in flight
/// and finds everything the last one sent.
/// </para>
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
        var pending = new Pending(group, item, BatchTrace.Capture(), cancellationToken);
        if (_channel.Writer.TryWrite(pending)) return pending.Completion.Task;
        pending.TryTake();
        throw new ObjectDisposedException(GetType().Name);
    }

    private async Task RunAsync()
    {
        var reader = _channel.Reader;
        var gathered = new List<Pending>();
        try
        {
            while (await reader.WaitToReadAsync(_stopping.Token))
            {
                gathered = [];
                // A flood (FloodFrom items or more in the first window: a fleet enrolling, a roll-out) waits more windows while
                // items keep arriving and a call would go out part-full, up to MaxLingerWindows: fuller calls when the controller
                // produces them slower than a window. A handful of hosts goes out after one window, the last of a flood three more.
                for (int windows = 0, quiet = 0; windows <= MaxLingerWindows; windows++)
                {
                    if (_window > TimeSpan.Zero) await Task.Delay(_window, _time, _stopping.Token);
                    else await Task.Yield();
                    quiet = Gather(reader, gathered) == 0 ? quiet + 1 : 0;
                    if (gathered.Count < FloodFrom || quiet >= QuietWindowsEndLinger || !PartFull(gathered)) break;
                }
                // Taken only now: a submitter that gave up while its item lingered (shutdown, a lost lease) is answered at once
                // and its call is never made, so nothing it sent can land after the next reconcile sent its own.
                var drained = gathered.Where(p => p.TryTake()).ToList();
                var calls = drained.GroupBy(p => p.Group)
                    .SelectMany(g => g.Chunk(_maxBatch).Select(chunk => FlushAsync(g.Key, chunk)));
                await Task.WhenAll(calls);
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // Shutting down: fail whatever is still queued below.
        }
        foreach (var left in gathered.Concat(Remaining(reader)))
        {
            if (left.TryTake()) left.Completion.TrySetCanceled();
        }
    }

    /// <summary>How many more windows a batch may wait while items keep arriving.</summary>
    public const int MaxLingerWindows = 20;

    /// <summary>
    /// Items in the first window that make a flood worth lingering for; fewer (a few hosts enrolling together) go out after
    /// one window, as each lingering window adds to every batched step of their enrolment.
    /// </summary>
    private const int FloodFrom = 8;

    /// <summary>A flood has ended after this many windows in a row without a new item (one gap is a busy machine, not the end).</summary>
    private const int QuietWindowsEndLinger = 3;

    /// <returns>How many items it read; they stay cancellable until taken.</returns>
    private static int Gather(ChannelReader<Pending> reader, List<Pending> gathered)
    {
        var read = 0;
        for (; reader.TryRead(out var pending); read++) gathered.Add(pending);
        return read;
    }

    private static IEnumerable<Pending> Remaining(ChannelReader<Pending> reader)
    {
        while (reader.TryRead(out var left)) yield return left;
    }

    /// <summary>Whether some group's last call would not be full.</summary>
    private bool PartFull(List<Pending> drained) => drained.GroupBy(p => p.Group).Any(g => g.Count() % _maxBatch != 0);

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
        catch (OperationCanceledException) when (abandoned.Token.IsCancellationRequested)
        {
            foreach (var pending in chunk) pending.Completion.TrySetCanceled(abandoned.Token);
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

    /// <summary>One submitted item: queued, then either taken into a call or cancelled while still queued, never both.</summary>
    private sealed class Pending
    {
        private const int Queued = 0, Taken = 1, Cancelled = 2;
        private readonly CancellationTokenRegistration _whileQueued;
        private int _state;

        public Pending(string group, TItem item, System.Diagnostics.ActivityContext submitter, CancellationToken cancellation)
        {
            Group = group;
            Item = item;
            Submitter = submitter;
            Cancellation = cancellation;
            // A submitter that gives up while its item waits for the window is answered at once; once taken, the call answers.
            _whileQueued = cancellation.Register(static state => ((Pending)state!).CancelIfQueued(), this);
        }

        public string Group { get; }
        public TItem Item { get; }
        public System.Diagnostics.ActivityContext Submitter { get; }
        public CancellationToken Cancellation { get; }
        public TaskCompletionSource<TResult> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Takes the item into a call; false when its submitter gave up first.</summary>
        public bool TryTake()
        {
            if (Interlocked.CompareExchange(ref _state, Taken, Queued) != Queued) return false;
            _whileQueued.Dispose();
            return true;
        }

        private void CancelIfQueued()
        {
            if (Interlocked.CompareExchange(ref _state, Cancelled, Queued) == Queued) Completion.TrySetCanceled(Cancellation);
        }
    }
}
