using Org.BouncyCastle.Math;

namespace IpsecMesh.Pki.Certificates;

public sealed record RevokedSerial(BigInteger Serial, DateTimeOffset RevokedAt);
