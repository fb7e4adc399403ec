using IpsecMesh.Core.Model;
using IpsecMesh.Core.Options;
using IpsecMesh.Core.State;
using IpsecMesh.HostAgent.Protocol;
using Microsoft.Extensions.Logging;

namespace IpsecMesh.Core.Reconcile;

/// <summary>
/// The certificate decisions of a reconcile and what each leaves the work queue with. An install that replaces the
/// host's certificate first takes a slot of the <see cref="RotationGate"/>; the slot goes back when no install was sent.
/// </summary>
public sealed class CertificateSteps(CertificateActions actions, CertificateRevoker revoker, RotationGate rotations, PhaseMarker marks, IpsecMeshOptions options, ILogger<CertificateSteps> logger)
{
    /// <summary>Requeue after the command poll when sent; a rejected CSR marks the instance failed and is retried with backoff.</summary>
    public async Task<ReconcileOutcome> SignAndInstallAsync(Observation observation, InstanceRecord record, Decision.SignAndInstall sign, CancellationToken cancellationToken)
    {
        if (!EnterRotation(observation, out var wait)) return new ReconcileOutcome.Requeue(wait);
        return await GatedAsync(observation, record, async () =>
            {
                if (await actions.SignAndInstallAsync(observation, record, sign, cancellationToken) is not { } reason) return null;
                await marks.MarkFailedAsync(observation, record, new Decision.MarkFailed(reason, false, "bad CSR"), cancellationToken);
                return reason;
            }) is { } rejected
            ? new ReconcileOutcome.Retry(rejected)
            : new ReconcileOutcome.Requeue(options.CommandPollInterval);
    }

    /// <summary>Requeue after the command poll (or, while no rotation slot is free, after the gate's wait).</summary>
    public async Task<ReconcileOutcome> IssueKeyAndInstallAsync(Observation observation, InstanceRecord record, Decision.IssueKeyAndInstall issue, CancellationToken cancellationToken)
    {
        if (!EnterRotation(observation, out var wait)) return new ReconcileOutcome.Requeue(wait);
        await GatedAsync(observation, record, async () => { await actions.IssueKeyAndInstallAsync(observation, record, issue, cancellationToken); return (string?)null; });
        return new ReconcileOutcome.Requeue(options.CommandPollInterval);
    }

    /// <inheritdoc cref="IssueKeyAndInstallAsync"/>
    public async Task<ReconcileOutcome> InstallIssuedAsync(Observation observation, InstanceRecord record, CancellationToken cancellationToken)
    {
        if (!EnterRotation(observation, out var wait)) return new ReconcileOutcome.Requeue(wait);
        await GatedAsync(observation, record, async () => { await actions.InstallIssuedAsync(observation, record, cancellationToken); return (string?)null; });
        return new ReconcileOutcome.Requeue(options.CommandPollInterval);
    }

    /// <inheritdoc cref="CertificateRevoker.RevokeAsync"/>
    public Task RevokeAsync(Observation observation, Decision.Revoke revoke, CancellationToken cancellationToken) =>
        revoker.RevokeAsync(observation.InstanceId, revoke.Reason, revoke.Label, cancellationToken);

    /// <summary>
    /// Whether this install may go now: one that replaces the host's certificate (the host has one)
    /// needs a slot of the rotation gate; while none is free the reconcile changes nothing (no tag)
    /// and looks again after <paramref name="retryAfter"/>. A first certificate is never held back.
    /// </summary>
    private bool EnterRotation(Observation observation, out TimeSpan retryAfter)
    {
        retryAfter = TimeSpan.Zero;
        if (observation.InstalledCertExpiry is not { } installed || rotations.TryEnter(observation.InstanceId, installed, out retryAfter)) return true;
        ReconcileLog.RotationWaits(logger, retryAfter);
        return false;
    }

    /// <summary>Runs an install step that holds a rotation slot; the slot goes back when the step sent no certificate install.</summary>
    private async Task<string?> GatedAsync(Observation observation, InstanceRecord record, Func<Task<string?>> step)
    {
        var before = record.Command;
        var sent = false;
        try
        {
            var rejected = await step();
            sent = rejected is null && record.Command is { } now && !ReferenceEquals(now, before)
                && (now.Verbs.Contains(AgentVerbs.InstallCert) || now.Verbs.Contains(AgentVerbs.InstallP12));
            return rejected;
        }
        finally
        {
            if (!sent) rotations.Abandon(observation.InstanceId);
        }
    }
}
