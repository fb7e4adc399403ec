using System.Diagnostics;
using IpsecMesh.Core.Options;
using IpsecMesh.Core.State;
using IpsecMesh.HostAgent.Protocol;
using Microsoft.Extensions.Logging;

namespace IpsecMesh.Core.Reconcile;

/// <summary>
/// Observe → decide → dispatch for one instance, until a step ends the reconcile with an outcome for the work queue.
/// Never waits on a running SSM command: it records the command id, returns a requeue, and looks again when the
/// command watcher queues the instance. Idempotent: running it twice, or after a crash at any point, converges to the
/// same state without a second certificate or command.
/// </summary>
public sealed class InstanceReconciler(
    InstanceStore store,
    InstanceObserver observer,
    DecisionDispatcher dispatcher,
    RotationGate rotations,
    IpsecMeshOptions options,
    ILogger<InstanceReconciler> logger)
{
    private const int MaxStepsPerPass = 8;
    // The command watcher queues an instance as soon as its command finishes; the poll requeue is only a fallback.
    private readonly DecisionTimings _timings = new(
        TimeSpan.FromTicks(Math.Max(options.CommandPollInterval.Ticks * 12, TimeSpan.FromMinutes(1).Ticks)), options.AgentWaitInterval);

    /// <summary>One reconcile of <paramref name="instanceId"/>; AWS and PKI errors propagate (see <see cref="FailureClassifier"/>).</summary>
    public async Task<ReconcileOutcome> ReconcileAsync(string instanceId, CancellationToken cancellationToken)
    {
        var record = store.Get(instanceId);
        var observation = await observer.ObserveAsync(record, cancellationToken);
        // A certificate install that finished (whatever its outcome) frees its rotation slot after the settle time.
        if (observation.Command is { IsFinished: true } done && (done.Includes(AgentVerbs.InstallCert) || done.Includes(AgentVerbs.InstallP12)))
            rotations.Finished(instanceId);
        for (var step = 0; step < MaxStepsPerPass; step++)
        {
            var decision = Decider.Decide(observation, _timings);
            ReconcileLog.Decided(logger, decision.GetType().Name, decision.Why);
            Activity.Current?.AddEvent(new ActivityEvent("decision", tags: new ActivityTagsCollection { ["decision"] = decision.GetType().Name, ["why"] = decision.Why }));
            var next = await dispatcher.DispatchAsync(decision, observation, record, cancellationToken);
            if (next.Outcome is { } outcome) return outcome;
            observation = next.Next!;
        }
        // Several marks in a row without an action: look again shortly rather than spin.
        return new ReconcileOutcome.Requeue(options.CommandPollInterval);
    }
}
