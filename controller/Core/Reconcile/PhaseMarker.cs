using IpsecMesh.Core.Desired;
using IpsecMesh.Core.Model;
using IpsecMesh.Core.Options;
using IpsecMesh.Core.Rollout;
using IpsecMesh.Core.State;
using Microsoft.Extensions.Logging;

namespace IpsecMesh.Core.Reconcile;

/// <summary>
/// Writes what a decision concluded into the instance's tags (phase, status) and its host facts (applied config, certificate expiry), and
/// consumes the finished command it concluded from. EC2 errors propagate (the reconcile is retried).
/// </summary>
public sealed class PhaseMarker(InstanceTagWriter tags, CommandLedger ledger, ConfigRollout rollout, DesiredStateProvider desired, IpsecMeshOptions options, ILogger<PhaseMarker> logger)
{
    /// <summary>The host runs the config and certificate the decision names; <c>enabled</c> when it says so.</summary>
    public async Task MarkAppliedAsync(Observation observation, InstanceRecord record, Decision.MarkApplied applied, CancellationToken cancellationToken)
    {
        var written = new Dictionary<string, string>(StringComparer.Ordinal);
        if (applied.Enabled)
        {
            written[options.TagKey] = TagValues.Enabled;
            written[options.StatusTagKey] = StatusText.Enrolled;
        }
        await tags.WriteAsync(observation, record, written, [], cancellationToken,
            new HostFactsChange(applied.ConfigHash, applied.CertExpiry, ForgetCertificate: applied.ForgetCertificate));
        ledger.ConsumeFinished(record);
        if (applied.Enabled && observation.Phase != Phase.Enabled) ReconcileLog.PhaseChanged(logger, TagValues.Enabled, StatusText.Enrolled);
    }

    /// <summary><c>failed</c> (unless the phase is kept) with the reason as status; a host that could not apply the config being rolled out stops the roll-out.</summary>
    public async Task MarkFailedAsync(Observation observation, InstanceRecord record, Decision.MarkFailed failed, CancellationToken cancellationToken)
    {
        // A host that could not apply the config being rolled out stops the roll-out where it is.
        if (observation.Command?.SentConfigHash is { } sent && sent == desired.TargetHash)
            await rollout.ReportFailureAsync(observation.InstanceId, StatusText.Clean(failed.Reason), cancellationToken);
        var written = new Dictionary<string, string>(StringComparer.Ordinal) { [options.StatusTagKey] = StatusText.Clean(failed.Reason) };
        if (!failed.KeepPhase) written[options.TagKey] = TagValues.Failed;
        await tags.WriteAsync(observation, record, written, [], cancellationToken, new HostFactsChange(ForgetConfig: failed.ForgetConfig));
        ledger.ConsumeFinished(record);
        ReconcileLog.InstanceFailed(logger, failed.Reason);
    }

    /// <summary>Nothing of ours is on the host (its certificate was revoked before): the tags say so. A deleted main tag is not written back.</summary>
    public async Task MarkDisabledAsync(Observation observation, InstanceRecord record, bool tagDeleted, CancellationToken cancellationToken)
    {
        var written = tagDeleted
            ? new Dictionary<string, string>(StringComparer.Ordinal)
            : new Dictionary<string, string>(StringComparer.Ordinal) { [options.TagKey] = TagValues.Disabled, [options.StatusTagKey] = StatusText.Removed };
        IReadOnlyCollection<string> remove = tagDeleted ? [options.StatusTagKey] : [];
        await tags.WriteAsync(observation, record, written, remove, cancellationToken, HostFactsChange.ForgetAll);
        ledger.ConsumeFinished(record);
        ReconcileLog.PhaseChanged(logger, tagDeleted ? "untagged" : TagValues.Disabled, StatusText.Removed);
    }

    /// <summary>Waiting (for an agent, a host, a slot): the status says for what; a finished command is consumed.</summary>
    public async Task MarkWaitingAsync(Observation observation, InstanceRecord record, string status, CancellationToken cancellationToken)
    {
        await tags.SetStatusAsync(observation, record, status, cancellationToken);
        ledger.ConsumeFinished(record);
    }
}
