using System.Diagnostics;
using IpsecMesh.Core.Model;
using IpsecMesh.Core.Options;
using IpsecMesh.Core.State;

namespace IpsecMesh.Core.Reconcile;

/// <summary>
/// The "dispatch" of a reconcile: takes the one step a <see cref="Decision"/> names (look, send, issue, mark, revoke,
/// retire) and says what follows it. Errors of the step propagate; the worker classifies them.
/// </summary>
public sealed class DecisionDispatcher(
    InstanceObserver observer,
    CommandSender sender,
    CertificateSteps certificates,
    PhaseMarker marks,
    InstanceRetirement retirement,
    IpsecMeshOptions options)
{
    /// <summary>Takes <paramref name="decision"/>'s step for <paramref name="record"/>'s instance; the observation it continues with, or the outcome.</summary>
    public async Task<ReconcileStep> DispatchAsync(Decision decision, Observation observation, InstanceRecord record, CancellationToken cancellationToken)
    {
        switch (decision)
        {
            case Decision.ObserveHost:
                return ReconcileStep.Continue(await observer.ObserveHostAsync(observation, cancellationToken));
            case Decision.Poll poll:
                return ReconcileStep.End(new ReconcileOutcome.Requeue(poll.After));
            case Decision.Backoff backoff:
                return ReconcileStep.End(new ReconcileOutcome.Requeue(backoff.After));
            case Decision.Idle idle:
                retirement.Idle(observation, record);
                return ReconcileStep.End(new ReconcileOutcome.Done(idle.RequeueAfter));
            case Decision.Wait wait:
                await marks.MarkWaitingAsync(observation, record, wait.Status, cancellationToken);
                return ReconcileStep.End(wait.RequeueAfter is { } after ? new ReconcileOutcome.Requeue(after) : new ReconcileOutcome.Done(null));
            case Decision.Send send:
                await sender.SendAsync(observation, record, send, cancellationToken);
                return ReconcileStep.End(new ReconcileOutcome.Requeue(options.CommandPollInterval));
            case Decision.SignAndInstall sign:
                return ReconcileStep.End(await certificates.SignAndInstallAsync(observation, record, sign, cancellationToken));
            case Decision.IssueKeyAndInstall issue:
                return ReconcileStep.End(await certificates.IssueKeyAndInstallAsync(observation, record, issue, cancellationToken));
            case Decision.InstallIssued:
                return ReconcileStep.End(await certificates.InstallIssuedAsync(observation, record, cancellationToken));
            case Decision.MarkApplied applied:
                await marks.MarkAppliedAsync(observation, record, applied, cancellationToken);
                return ReconcileStep.Continue(observer.Reobserve(observation, record));
            case Decision.MarkFailed failed:
                await marks.MarkFailedAsync(observation, record, failed, cancellationToken);
                return ReconcileStep.End(new ReconcileOutcome.Retry(failed.Reason));
            case Decision.Revoke revoke:
                await certificates.RevokeAsync(observation, revoke, cancellationToken);
                return ReconcileStep.Continue(observer.Reobserve(observation, record));
            case Decision.MarkDisabled disabled:
                await marks.MarkDisabledAsync(observation, record, disabled.TagDeleted, cancellationToken);
                return ReconcileStep.End(new ReconcileOutcome.Done(null));
            case Decision.Retire retire:
                await retirement.RetireAsync(observation.InstanceId, retire.Why, cancellationToken);
                return ReconcileStep.End(new ReconcileOutcome.Done(null));
            default:
                throw new UnreachableException($"unhandled decision {decision.GetType().Name}");
        }
    }
}
