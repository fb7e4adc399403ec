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
    FleetCaCoverage coverage,
    DesiredStateProvider desired,
    ILogger<CaRetirementCheck> logger)
{
    public async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        if (!desired.IsLoaded) return;
        var pending = await retirement.PendingAsync(cancellationToken);
        if (pending.Count == 0) return;
        var current = desired.Current.CaId;
        if (!coverage.RunsOnly(current)) return;
        var caIds = string.Join(',', pending);
        DesiredLog.RetiringCas(logger, caIds, current);
        try
        {
            var revoked = await retirement.RetireAsync(pending, cancellationToken);
            foreach (var certificate in revoked) certificates.Revoked(certificate.InstanceId, certificate.SerialHex);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            DesiredLog.RetirementFailed(logger, caIds, e.GetType().Name, e.Message);
        }
    }
}
