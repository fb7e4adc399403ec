using IpsecMesh.Core.Model;
using IpsecMesh.Core.State;
using Microsoft.Extensions.Logging;

namespace IpsecMesh.Core.Reconcile;

/// <summary>What the controller forgets of an instance: a terminated one entirely (after revoking its certificate), an untagged one it never enrolled.</summary>
public sealed class InstanceRetirement(CertificateRevoker revoker, InstanceStore store, HostFactsStore facts, CommandLedger ledger, RotationGate rotations, ILogger<InstanceRetirement> logger)
{
    /// <summary>
    /// Nothing to do: the finished command is consumed, and an instance with no phase and no certificate is forgotten
    /// (untagged instances reach us through state-change events for the whole region; only ours are remembered).
    /// </summary>
    public void Idle(Observation observation, InstanceRecord record)
    {
        ledger.ConsumeFinished(record);
        if (observation.Phase == Phase.Absent && observation.Certificate is null) store.Forget(observation.InstanceId);
    }

    /// <summary>The instance is gone (<paramref name="why"/>): its certificate is revoked, its record, host facts, command and rotation slot forgotten.</summary>
    public async Task RetireAsync(string instanceId, string why, CancellationToken cancellationToken)
    {
        if (revoker.Holds(instanceId)) await revoker.RevokeAsync(instanceId, "instance terminated", "terminated", cancellationToken);
        store.Forget(instanceId);
        facts.Forget(instanceId);
        ledger.Untrack(instanceId);
        rotations.Abandon(instanceId);
        ReconcileLog.Retired(logger, why);
    }
}
