using System.Text.Json;

namespace IpsecMesh.Core.Leadership;

/// <summary>The lease object's content. An empty holder means released.</summary>
public sealed record LeaseRecord(string Holder, DateTimeOffset AcquiredAt, DateTimeOffset RenewedAt, double LeaseSeconds)
{
    /// <summary>The object's bytes (JSON).</summary>
    public static byte[] Write(LeaseRecord record) => JsonSerializer.SerializeToUtf8Bytes(record);

    /// <summary>The lease in the object, or null when its content is not a lease (anyone who can write <c>leader/</c> can write it).</summary>
    public static LeaseRecord? Read(ReadOnlyMemory<byte> content)
    {
        try { return JsonSerializer.Deserialize<LeaseRecord>(content.Span); }
        catch (JsonException) { return null; }
    }
}
