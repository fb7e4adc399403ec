using System.Formats.Asn1;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Pkcs;
using Org.BouncyCastle.Asn1.Sec;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Asn1.X9;

namespace IpsecMesh.Pki.Certificates;

/// <summary>
/// The host keys the CA certifies: RSA of 2048 to 4096 bits with public exponent 65537, or ECDSA on P-256 or P-384
/// (named curves, RFC 5480). P-521 is not accepted: no host makes such keys (the agent makes P-256 or RSA-2048),
/// and every accepted shape is one whose signature check (<see cref="CsrSignature"/>, key import included) costs about a
/// millisecond of CPU at most: about 0.2 ms for RSA and P-256, 0.8 ms for P-384. The checks read the key's
/// DER directly: a hostile modulus or exponent is measured by its byte length, never turned into a big integer.
/// </summary>
internal static class CsrKeyPolicy
{
    public const int MinRsaBits = 2048;
    public const int MaxRsaBits = 4096;

    private static readonly byte[] F4 = [0x01, 0x00, 0x01];

    /// <exception cref="CsrRejectedException">The key is of another algorithm, size, exponent or curve, or malformed.</exception>
    public static void RequireAcceptable(SubjectPublicKeyInfo publicKey, string instanceId)
    {
        var algorithm = publicKey.Algorithm.Algorithm;
        if (algorithm.Equals(PkcsObjectIdentifiers.RsaEncryption))
        {
            RequireRsa(KeyBits(publicKey, instanceId), instanceId);
        }
        else if (algorithm.Equals(X9ObjectIdentifiers.IdECPublicKey))
        {
            RequireEc(publicKey.Algorithm.Parameters, KeyBits(publicKey, instanceId), instanceId);
        }
        else
        {
            throw new CsrRejectedException($"CSR of {instanceId} has an unsupported key algorithm {algorithm.Id}; RSA (2048 to 4096 bits) or ECDSA (P-256, P-384) keys are accepted");
        }
    }

    /// <summary>The subjectPublicKey BIT STRING's content (no unused bits allowed).</summary>
    private static byte[] KeyBits(SubjectPublicKeyInfo publicKey, string instanceId)
    {
        try
        {
            return publicKey.PublicKey.GetOctets();
        }
        catch (Exception error) when (error is InvalidOperationException or ArgumentException)
        {
            throw new CsrRejectedException($"CSR of {instanceId} has a malformed public key", error);
        }
    }

    private static void RequireRsa(byte[] key, string instanceId)
    {
        ReadOnlyMemory<byte> modulus, exponent;
        try
        {
            var reader = new AsnReader(key, AsnEncodingRules.DER);
            var sequence = reader.ReadSequence();
            reader.ThrowIfNotEmpty();
            modulus = sequence.ReadIntegerBytes();
            exponent = sequence.ReadIntegerBytes();
            sequence.ThrowIfNotEmpty();
        }
        catch (AsnContentException error)
        {
            throw new CsrRejectedException($"CSR of {instanceId} has a malformed RSA public key", error);
        }

        var bits = PositiveBitLength(modulus.Span);
        if (bits < MinRsaBits || bits > MaxRsaBits)
        {
            throw new CsrRejectedException($"CSR of {instanceId} has an RSA key of {bits} bits; {MinRsaBits} to {MaxRsaBits} bits are accepted");
        }

        if (!exponent.Span.SequenceEqual(F4))
        {
            throw new CsrRejectedException($"CSR of {instanceId} has an RSA key whose public exponent is not 65537");
        }
    }

    private static void RequireEc(Asn1Encodable? parameters, byte[] point, string instanceId)
    {
        // A named curve only (RFC 5480 §2.1.1): explicit parameters would let the host choose the curve's arithmetic.
        var fieldBytes = parameters switch
        {
            DerObjectIdentifier curve when curve.Equals(SecObjectIdentifiers.SecP256r1) => 32,
            DerObjectIdentifier curve when curve.Equals(SecObjectIdentifiers.SecP384r1) => 48,
            DerObjectIdentifier curve => throw new CsrRejectedException($"CSR of {instanceId} has an EC key on curve {curve.Id}; P-256 or P-384 are accepted"),
            _ => throw new CsrRejectedException($"CSR of {instanceId} has an EC key without a named curve; P-256 or P-384 are accepted"),
        };

        // SEC 1 §2.3.3: 04 || X || Y uncompressed, or 02/03 || X compressed.
        var wellFormed = point.Length > 0 && (point[0] == 0x04 ? point.Length == 1 + (2 * fieldBytes) : point[0] is 0x02 or 0x03 && point.Length == 1 + fieldBytes);
        if (!wellFormed)
        {
            throw new CsrRejectedException($"CSR of {instanceId} has a malformed EC public key");
        }
    }

    /// <returns>The bit length of a DER INTEGER's value, or 0 for zero or a negative value (never a valid modulus).</returns>
    private static int PositiveBitLength(ReadOnlySpan<byte> integer)
    {
        if (integer.IsEmpty || (integer[0] & 0x80) != 0)
        {
            return 0;
        }

        var significant = integer.TrimStart((byte)0);
        return significant.IsEmpty ? 0 : ((significant.Length - 1) * 8) + (32 - System.Numerics.BitOperations.LeadingZeroCount((uint)significant[0]));
    }
}
