using System.Globalization;
using IpsecMesh.Core.Model;
using IpsecMesh.Core.Options;
using IpsecMesh.Core.State;
using IpsecMesh.Pki.Authority;
using Microsoft.Extensions.Logging;

namespace IpsecMesh.Core.Desired;

/// <summary>
/// Ends a CA rotation (docs/pki.md): once every enabled instance runs a certificate of the current CA (its newest
/// certificate is the current CA's and its sealed expiry tag says that certificate is installed), and no instance the
/// controller has not seen still holds a replaced CA's certificate, the replaced CAs' certificates are revoked
/// (<see cref="CaRetirement"/>) — before those CAs leave the trust bundle, which hosts' pluto would keep trusting until
/// it restarts. Runs after each config poll; level-triggered.
/// </summary>
public sealed class CaRetirementCheck(
    CaRetirement retirement,
    CertificateCache certificates,
    InstanceStore store,
    TagSeal seal,
    DesiredStateProvider desired,
    IpsecMeshOptions options,
    ILogger<CaRetirementCheck> logger)
{
    public async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        if (!desired.IsLoaded) return;
        var pending = await retirement.PendingAsync(cancellationToken);
        if (pending.Count == 0) return;
        var current = desired.Current.CaId;
        if (!FleetRunsCurrentCa(current)) return;
        var caIds = string.Join(',', pending);
        Log.RetiringCas(logger, caIds, current);
        try
        {
            var revoked = await retirement.RetireAsync(pending, cancellationToken);
            foreach (var certificate in revoked) certificates.Revoked(certificate.InstanceId, certificate.SerialHex);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.RetirementFailed(logger, caIds, e.GetType().Name, e.Message);
        }
    }

    /// <summary>
    /// Whether no instance still needs a replaced CA's certificate: every instance whose newest certificate is another CA's is
    /// known and not enabled, and every enabled instance has its current-CA certificate installed.
    /// </summary>
    private bool FleetRunsCurrentCa(string currentCaId)
    {
        foreach (var id in certificates.InstanceIds)
        {
            if (certificates.Get(id) is not { } certificate) continue;
            if (!store.TryGet(id, out var record)) return false;
            InstanceSnapshot? snapshot;
            lock (record) snapshot = record.Snapshot;
            if (snapshot is null) return false;
            var enabled = !snapshot.IsGone && snapshot.Tag(options.TagKey) == TagValues.Enabled;
            if (!enabled) continue;
            if (certificate.CaId != currentCaId) return false;
            var installed = seal.Read(snapshot, options).CertExpiry;
            if (!DateTimeOffset.TryParse(installed, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var expiry) || expiry != certificate.NotAfter) return false;
        }
        return true;
    }
}
