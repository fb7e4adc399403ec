using Microsoft.Extensions.Logging;

namespace IpsecMesh.Core.Desired;

internal static partial class DesiredLog
{
    [LoggerMessage(EventId = 300, Level = LogLevel.Error, Message = "Mesh policy rejected, keeping policy {KeptPolicyHash}: {PolicyError}")]
    public static partial void PolicyRejected(ILogger logger, string policyError, string keptPolicyHash);

    [LoggerMessage(EventId = 301, Level = LogLevel.Information, Message = "Desired config is {ConfigHash} (policy {PolicyHash}, trust bundle {BundleId}, CRLs {CrlsId})")]
    public static partial void DesiredConfig(ILogger logger, string configHash, string policyHash, string bundleId, string crlsId);

    [LoggerMessage(EventId = 302, Level = LogLevel.Warning, Message = "CA trust bundle changed from {OldBundleId} to {NewBundleId}: hosts get the new bundle first, new-CA certificates after")]
    public static partial void TrustBundleChanged(ILogger logger, string oldBundleId, string newBundleId);

    [LoggerMessage(EventId = 303, Level = LogLevel.Warning, Message = "Could not refresh the CRLs ({ErrorType}: {ErrorMessage}); hosts keep the CRLs they have")]
    public static partial void CrlRefreshFailed(ILogger logger, string errorType, string errorMessage);

    [LoggerMessage(EventId = 304, Level = LogLevel.Warning, Message = "Could not read the recent revocations ({ErrorType}: {ErrorMessage}); hosts get the addresses read before")]
    public static partial void RevokedPeersFailed(ILogger logger, string errorType, string errorMessage);

    [LoggerMessage(EventId = 708, Level = LogLevel.Information, Message = "Retiring CA {CaIds}: every enabled host runs a certificate of CA {CurrentCaId}; revoking the replaced CAs' certificates before they leave the trust bundle")]
    public static partial void RetiringCas(ILogger logger, string caIds, string currentCaId);

    [LoggerMessage(EventId = 709, Level = LogLevel.Warning, Message = "Could not retire CA {CaIds} ({ErrorType}: {ErrorMessage}); it stays in the trust bundle, the next config poll tries again")]
    public static partial void RetirementFailed(ILogger logger, string caIds, string errorType, string errorMessage);
}
