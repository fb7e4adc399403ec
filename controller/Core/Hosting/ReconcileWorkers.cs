using IpsecMesh.Core.Options;
using IpsecMesh.Core.Queue;

namespace IpsecMesh.Core.Hosting;

/// <summary>
/// The worker pool: <see cref="IpsecMeshOptions.Workers"/> loops that take an instance id from the work queue (one
/// worker per key at a time) and hand it to the <see cref="ReconcileExecutor"/>.
/// </summary>
public sealed class ReconcileWorkers(WorkQueue<string> queue, ReconcileExecutor executor, IpsecMeshOptions options)
{
    /// <summary>Starts the workers; each ends when <paramref name="cancellationToken"/> is cancelled (the queue outlives a term).</summary>
    public IEnumerable<Task> Start(CancellationToken cancellationToken) =>
        Enumerable.Range(0, options.Workers).Select(_ => WorkerAsync(cancellationToken));

    private async Task WorkerAsync(CancellationToken cancellationToken)
    {
        // The queue outlives a lost leadership; a worker only stops taking keys.
        while (!cancellationToken.IsCancellationRequested)
        {
            var (ok, key) = await queue.TryGetAsync(cancellationToken);
            if (!ok) return;
            try
            {
                await executor.ProcessAsync(key, cancellationToken);
            }
            finally
            {
                queue.Done(key);
            }
        }
    }
}
