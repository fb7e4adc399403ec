using System.Diagnostics;
using IpsecMesh.Core.State;
using IpsecMesh.Core.Telemetry;
using Microsoft.Extensions.Logging;

namespace IpsecMesh.Core.Reconcile;

/// <summary>Revokes an instance's certificates, counts the revocation by reason label and forgets them in the cache.</summary>
public sealed class CertificateRevoker(RevocationQueue revocations, CertificateCache certificates, IpsecMeshTelemetry telemetry, ILogger<CertificateRevoker> logger)
{
    /// <summary>
    /// Revokes every live certificate of the instance (coalesced with other revocations into one CRL) and forgets it.
    /// <paramref name="reason"/> is the sentence logged and recorded; <paramref name="label"/> the metric's <c>reason</c> tag.
    /// Registry and storage errors propagate (the reconcile is retried; revoking twice is harmless).
    /// </summary>
    public async Task RevokeAsync(string instanceId, string reason, string label, CancellationToken cancellationToken)
    {
        await revocations.RevokeAsync(instanceId, reason, cancellationToken);
        certificates.Revoked(instanceId);
        telemetry.CertificatesRevoked.Add(1, new TagList { { "reason", label } });
        ReconcileLog.Revoked(logger, reason);
    }

    /// <summary>Whether the cache holds a live certificate of the instance.</summary>
    public bool Holds(string instanceId) => certificates.Get(instanceId) is not null;
}
