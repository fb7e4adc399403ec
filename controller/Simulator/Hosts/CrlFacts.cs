using System.Formats.Asn1;
using System.Numerics;

namespace IpsecMesh.Simulator.Hosts;

/// <summary>What the agent reads from a CRL (with <c>openssl crl -text</c>): its number, its thisUpdate and the serials it revokes.</summary>
internal sealed record CrlFacts(BigInteger? Number, DateTimeOffset ThisUpdate, IReadOnlySet<string> Serials)
{
    private const string CrlNumberOid = "2.5.29.20";

    /// <summary>The facts of a DER CRL, or null when it does not parse.</summary>
    public static CrlFacts? Read(byte[] der)
    {
        try
        {
            var tbs = new AsnReader(der, AsnEncodingRules.DER).ReadSequence().ReadSequence();
            if (tbs.PeekTag().HasSameClassAndValue(Asn1Tag.Integer)) tbs.ReadInteger();
            tbs.ReadSequence();
            tbs.ReadEncodedValue();
            var thisUpdate = ReadTime(tbs);
            if (tbs.HasData && IsTime(tbs.PeekTag())) ReadTime(tbs);
            var serials = new HashSet<string>(StringComparer.Ordinal);
            if (tbs.HasData && tbs.PeekTag().HasSameClassAndValue(Asn1Tag.Sequence))
            {
                var entries = tbs.ReadSequence();
                while (entries.HasData)
                {
                    var entry = entries.ReadSequence();
                    serials.Add(NormalSerial(Convert.ToHexString(entry.ReadIntegerBytes().Span)));
                }
            }
            BigInteger? number = null;
            if (tbs.HasData)
            {
                var extensions = tbs.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0)).ReadSequence();
                while (extensions.HasData)
                {
                    var extension = extensions.ReadSequence();
                    var oid = extension.ReadObjectIdentifier();
                    if (extension.PeekTag().HasSameClassAndValue(Asn1Tag.Boolean)) extension.ReadBoolean();
                    var value = extension.ReadOctetString();
                    if (oid == CrlNumberOid) number = new AsnReader(value, AsnEncodingRules.DER).ReadInteger();
                }
            }
            return new CrlFacts(number, thisUpdate, serials);
        }
        catch (AsnContentException)
        {
            return null;
        }
    }

    /// <summary>A serial as the controller writes it: lower-case hex without leading zeros.</summary>
    public static string NormalSerial(string hex)
    {
        var serial = hex.ToLowerInvariant().TrimStart('0');
        return serial.Length == 0 ? "0" : serial;
    }

    private static bool IsTime(Asn1Tag tag) => tag.HasSameClassAndValue(Asn1Tag.UtcTime) || tag.HasSameClassAndValue(Asn1Tag.GeneralizedTime);

    private static DateTimeOffset ReadTime(AsnReader reader) =>
        reader.PeekTag().HasSameClassAndValue(Asn1Tag.UtcTime) ? reader.ReadUtcTime() : reader.ReadGeneralizedTime();
}
