using Org.BouncyCastle.Math;

namespace IpsecMesh.Pki.Certificates;

/// <summary>One CRL entry: serial, revocationDate and reasonCode (RFC 5280 §5.1.2.6, §5.3.1).</summary>
public sealed record RevokedSerial(BigInteger Serial, DateTimeOffset RevokedAt, RevocationReason Reason);
