using System.Security.Cryptography;
using Org.BouncyCastle.Math;

namespace IpsecMesh.Pki.Certificates;

/// <summary>Random certificate serials of 127 bits, positive and without a leading zero byte.</summary>
public static class SerialNumbers
{
    public static BigInteger Next(Func<int, byte[]>? random = null)
    {
        var bytes = (random ?? RandomNumberGenerator.GetBytes)(16);
        // Clear the sign bit and set the next one, so the DER integer is always 16 bytes and its hex has no leading zero.
        bytes[0] = (byte)((bytes[0] & 0x7F) | 0x40);
        return new BigInteger(1, bytes);
    }

    public static string ToHex(BigInteger serial) => serial.ToString(16).ToLowerInvariant();
}
