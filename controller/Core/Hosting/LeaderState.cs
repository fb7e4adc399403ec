using IpsecMesh.Core.Reconcile;
using IpsecMesh.Core.Rollout;
using IpsecMesh.Core.State;

namespace IpsecMesh.Core.Hosting;

/// <summary>What a leader keeps in memory, dropped and reloaded at the start of each term.</summary>
public sealed class LeaderState(HostFactsStore facts, ConfigRollout rollout, CertificateCache certificates, InstanceStore store, CommandLedger commands, RotationGate rotations)
{
    /// <summary>
    /// Forgets the instance records, the commands in flight and the rotation slots, then loads the state seal key, the
    /// roll-out state, the host facts and the certificate registry from S3. S3 and KMS errors propagate (start-up is retried).
    /// </summary>
    public async Task ResetAndLoadAsync(CancellationToken cancellationToken)
    {
        // What this replica knew before (as leader in an earlier term) may be stale: start from AWS.
        store.Clear();
        commands.Clear();
        rotations.Clear();
        // First: it loads the state seal key, which the roll-out's object is verified with too.
        await facts.LoadAsync(cancellationToken);
        await rollout.LoadAsync(cancellationToken);
        await certificates.LoadAsync(cancellationToken);
    }
}
