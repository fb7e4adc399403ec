using System.Text.Json;
using System.Text.Json.Serialization;

namespace IpsecMesh.Pki.Registry;

/// <summary>
/// The JSON body of a revocation record, e.g. <c>{"revokedAt":"2026-01-05T08:00:00+00:00","reason":"cessationOfOperation","why":"opted out"}</c>:
/// the CRL entry's revocationDate and reasonCode (RFC 5280 §5.3.1), and the controller's words for the log. Since
/// revocation cuts live SAs, also <c>"addresses"</c>: the IP addresses the certificate named (read from it when it was
/// revoked), and <c>"stillHeld"</c>: those of them the same instance still holds with the certificate that superseded it
/// (its SAs under them are its own, and are not cut). Records of earlier versions have neither.
/// </summary>
public sealed record RevocationRecordBody(
    [property: JsonPropertyName("revokedAt")] DateTimeOffset RevokedAt,
    [property: JsonPropertyName("reason")] RevocationReason Reason,
    [property: JsonPropertyName("why")] string Why)
{
    /// <summary>A body is at most a few hundred bytes; anything longer than this is not read (a writer of <c>issued/</c> controls it).</summary>
    public const int MaxBytes = 8192;

    [JsonPropertyName("addresses")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? Addresses { get; init; }

    [JsonPropertyName("stillHeld")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? StillHeld { get; init; }

    /// <summary>The addresses whose SAs hosts tear down: those the certificate named, less those its instance still holds.</summary>
    public IEnumerable<string> AddressesToCut => (Addresses ?? []).Except(StillHeld ?? [], StringComparer.Ordinal);

    private static readonly JsonSerializerOptions Json = new()
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false) },
    };

    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, Json);

    /// <returns>The body, or null when it is too long, not JSON, or names a reason this version does not write.</returns>
    public static RevocationRecordBody? TryParse(ReadOnlySpan<byte> json)
    {
        if (json.Length > MaxBytes)
        {
            return null;
        }

        try
        {
            var body = JsonSerializer.Deserialize<RevocationRecordBody>(json, Json);
            return body is not null && Enum.IsDefined(body.Reason) ? body : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
