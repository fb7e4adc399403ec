using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace IpsecMesh.Simulator.Sqs;

/// <summary>The MD5 digests SQS returns and the SDK verifies (of the body, and of message attributes in SQS's binary layout).</summary>
internal static class MessageDigests
{
#pragma warning disable CA5351 // SQS defines these digests as MD5; the SDK checks them
    public static string OfBody(string body) => Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(body)));

    public static string OfAttributes(JsonObject attributes)
    {
        using var buffer = new MemoryStream();
        foreach (var (name, node) in attributes.OrderBy(a => a.Key, StringComparer.Ordinal))
        {
            if (node is not JsonObject value) continue;
            var dataType = value["DataType"]?.GetValue<string>() ?? "String";
            WriteLengthPrefixed(buffer, Encoding.UTF8.GetBytes(name));
            WriteLengthPrefixed(buffer, Encoding.UTF8.GetBytes(dataType));
            if (value["StringValue"] is JsonValue s)
            {
                buffer.WriteByte(1);
                WriteLengthPrefixed(buffer, Encoding.UTF8.GetBytes(s.GetValue<string>()));
            }
            else
            {
                buffer.WriteByte(2);
                WriteLengthPrefixed(buffer, Convert.FromBase64String(value["BinaryValue"]?.GetValue<string>() ?? ""));
            }
        }
        return Convert.ToHexStringLower(MD5.HashData(buffer.ToArray()));
    }
#pragma warning restore CA5351

    private static void WriteLengthPrefixed(MemoryStream buffer, byte[] bytes)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, bytes.Length);
        buffer.Write(length);
        buffer.Write(bytes);
    }
}
