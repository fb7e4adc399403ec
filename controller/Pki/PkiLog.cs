using Microsoft.Extensions.Logging;

namespace IpsecMesh.Pki;

/// <summary>Every log line of the PKI. None carries key material, passwords or plaintext from KMS.</summary>
internal static partial class PkiLog
{
    [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "Issued certificate {Serial} to {InstanceId} ({Reason}) from CA {CaId}, valid until {NotAfter:o}, names {NamesHash}")]
    public static partial void CertificateIssued(ILogger logger, string instanceId, string serial, string reason, string caId, DateTimeOffset notAfter, string namesHash);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Warning, Message = "Rejected the CSR of {InstanceId}: {Problem}")]
    public static partial void CsrRejected(ILogger logger, string instanceId, string problem);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Information, Message = "Created CA {CaId} ({Subject}, {Algorithm}, key mode {KeyMode}), valid until {NotAfter:o}")]
    public static partial void CaCreated(ILogger logger, string caId, Org.BouncyCastle.Asn1.X509.X509Name subject, CaAlgorithm algorithm, CaKeyMode keyMode, DateTimeOffset notAfter);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Information, Message = "Rotated the CA from {PreviousCaId} to {CaId}; the previous CA leaves the trust bundle at {RetireAt:o}")]
    public static partial void CaRotated(ILogger logger, string previousCaId, string caId, DateTimeOffset retireAt);

    [LoggerMessage(EventId = 4005, Level = LogLevel.Information, Message = "Opened the key of CA {CaId} (key mode {KeyMode})")]
    public static partial void CaKeyOpened(ILogger logger, string caId, CaKeyMode keyMode);

    [LoggerMessage(EventId = 4006, Level = LogLevel.Information, Message = "Revoked {CertificateCount} certificates of {InstanceCount} instances ({Reason})")]
    public static partial void CertificatesRevoked(ILogger logger, int certificateCount, int instanceCount, string reason);

    [LoggerMessage(EventId = 4007, Level = LogLevel.Information, Message = "Published CRL {CrlNumber} of CA {CaId} with {EntryCount} entries, next update {NextUpdate:o}")]
    public static partial void CrlPublished(ILogger logger, string caId, Org.BouncyCastle.Math.BigInteger crlNumber, int entryCount, DateTimeOffset nextUpdate);

    [LoggerMessage(EventId = 4008, Level = LogLevel.Warning, Message = "Ignored registry object {Key}: {Problem}")]
    public static partial void RegistryObjectIgnored(ILogger logger, string key, string problem);

    [LoggerMessage(EventId = 4009, Level = LogLevel.Warning, Message = "Certificates of {InstanceId} from CA {CaId} were recorded as revoked but put on no CRL: that CA is no longer trusted")]
    public static partial void RevocationSkippedForRetiredCa(ILogger logger, string instanceId, string caId);

    [LoggerMessage(EventId = 4010, Level = LogLevel.Information, Message = "Imported CA {CaId} ({Subject}), valid until {NotAfter:o}")]
    public static partial void CaImported(ILogger logger, string caId, Org.BouncyCastle.Asn1.X509.X509Name subject, DateTimeOffset notAfter);

    [LoggerMessage(EventId = 4011, Level = LogLevel.Warning, Message = "Ignored the stored CRL {Key} of CA {CaId}: it does not verify as that CA's own ({Problem}); a CRL derived from the revocation records replaces it")]
    public static partial void StoredCrlRejected(ILogger logger, string key, string caId, string problem);

    [LoggerMessage(EventId = 4012, Level = LogLevel.Warning, Message = "Kept serial {Serial} on the CRL of CA {CaId}: revocation record missing, but verified CRL {CrlNumber} lists it (deleting records never un-revokes)")]
    public static partial void RevocationRecordMissing(ILogger logger, string serial, string caId, Org.BouncyCastle.Math.BigInteger crlNumber);

    [LoggerMessage(EventId = 4013, Level = LogLevel.Information, Message = "Wrote {Count} revocation records for revocation markers of an earlier version")]
    public static partial void LegacyMarkersMigrated(ILogger logger, int count);

    [LoggerMessage(EventId = 4014, Level = LogLevel.Information, Message = "Revoked {Count} certificates of {InstanceId} superseded by {Serial} (names {NamesHash})")]
    public static partial void CertificatesSuperseded(ILogger logger, int count, string instanceId, string serial, string namesHash);

    [LoggerMessage(EventId = 4015, Level = LogLevel.Warning, Message = "CA {CaId} retired: revoked its {Count} unexpired certificates (every enabled host runs a certificate of the current CA); it leaves the trust bundle at {LeaveAt:o}")]
    public static partial void CaRetired(ILogger logger, string caId, int count, DateTimeOffset leaveAt);
}
