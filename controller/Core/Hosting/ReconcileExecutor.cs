using System.Diagnostics;
using IpsecMesh.Core.Queue;
using IpsecMesh.Core.Reconcile;
using IpsecMesh.Core.State;
using IpsecMesh.Core.Telemetry;
using Microsoft.Extensions.Logging;

namespace IpsecMesh.Core.Hosting;

/// <summary>
/// Runs one reconcile of an instance in a log scope (instance id, reconcile id) and a trace, counts and times it by
/// result, and maps its <see cref="ReconcileOutcome"/> (or its exception, through <see cref="FailureClassifier"/>) back
/// onto the work queue.
/// </summary>
public sealed class ReconcileExecutor(
    WorkQueue<string> queue,
    InstanceReconciler reconciler,
    IpsecMeshTelemetry telemetry,
    TimeProvider time,
    ILogger<ReconcileExecutor> logger)
{
    /// <summary>
    /// Reconciles <paramref name="instanceId"/> once and applies the outcome to the queue. Never throws: a failed
    /// reconcile becomes a retry or a terminal outcome; one cancelled by shutdown leaves the key as it is.
    /// </summary>
    public async Task ProcessAsync(string instanceId, CancellationToken cancellationToken)
    {
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["InstanceId"] = instanceId, ["ReconcileId"] = Guid.NewGuid().ToString("N")[..12] });
        using var activity = telemetry.Source.StartActivity("reconcile");
        activity?.SetTag("instance.id", instanceId);
        var started = time.GetTimestamp();
        ReconcileOutcome outcome;
        try
        {
            outcome = await reconciler.ReconcileAsync(instanceId, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Cancelled mid-reconcile by shutdown: the next leader's resync picks the instance up.
            return;
        }
        catch (Exception e)
        {
            outcome = FailureClassifier.Classify(e);
            HostingLog.ReconcileFailed(logger, outcome.Result, e.GetType().Name, HostingLog.Sanitize(e.Message));
            activity?.SetStatus(ActivityStatusCode.Error, e.GetType().Name);
            activity?.SetTag("error.type", e.GetType().Name);
        }
        var elapsed = time.GetElapsedTime(started).TotalSeconds;
        telemetry.Reconciles.Add(1, new TagList { { "result", outcome.Result } });
        telemetry.ReconcileDuration.Record(elapsed, new TagList { { "result", outcome.Result } });
        activity?.SetTag("result", outcome.Result);
        Apply(instanceId, outcome);
    }

    /// <summary>
    /// The outcome's one meaning for the queue: done forgets the key's backoff, requeue adds it after a delay with the
    /// backoff untouched, retry adds it rate-limited (the queue then knows when it is due: <see cref="IRetryBackoff{TKey}"/>), terminal drops it until an
    /// event or a resync brings it back.
    /// </summary>
    private void Apply(string instanceId, ReconcileOutcome outcome)
    {
        switch (outcome)
        {
            case ReconcileOutcome.Done done:
                queue.Forget(instanceId);
                if (done.After is { } after) queue.AddAfter(instanceId, after);
                break;
            case ReconcileOutcome.Requeue requeue:
                queue.AddAfter(instanceId, requeue.After);
                break;
            case ReconcileOutcome.Retry:
                queue.AddRateLimited(instanceId);
                telemetry.QueueRetries.Add(1);
                break;
            case ReconcileOutcome.Terminal terminal:
                queue.Forget(instanceId);
                HostingLog.Terminal(logger, terminal.Reason);
                break;
        }
    }
}
