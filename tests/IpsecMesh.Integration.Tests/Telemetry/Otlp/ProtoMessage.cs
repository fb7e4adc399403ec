using System.Buffers.Binary;
using System.Text;

namespace IpsecMesh.Integration.Tests.Telemetry.Otlp;

/// <summary>
/// A protobuf message decoded from the wire format, field by field, without its schema: enough to walk
/// OTLP's nested messages by field number. Unknown fields are kept and ignored.
/// </summary>
public sealed class ProtoMessage
{
    private readonly List<Field> _fields = [];

    public static ProtoMessage Parse(ReadOnlyMemory<byte> bytes)
    {
        var message = new ProtoMessage();
        var span = bytes.Span;
        var at = 0;
        while (at < span.Length)
        {
            var key = ReadVarint(span, ref at);
            var number = (int)(key >> 3);
            switch ((int)(key & 7))
            {
                case 0:
                    message._fields.Add(new Field(number, ReadVarint(span, ref at), default));
                    break;
                case 1:
                    message._fields.Add(new Field(number, BinaryPrimitives.ReadUInt64LittleEndian(span[at..]), bytes.Slice(at, 8)));
                    at += 8;
                    break;
                case 2:
                    var length = (int)ReadVarint(span, ref at);
                    message._fields.Add(new Field(number, 0, bytes.Slice(at, length)));
                    at += length;
                    break;
                case 5:
                    message._fields.Add(new Field(number, BinaryPrimitives.ReadUInt32LittleEndian(span[at..]), bytes.Slice(at, 4)));
                    at += 4;
                    break;
                default:
                    throw new FormatException($"unsupported wire type {key & 7} for field {number}");
            }
        }
        return message;
    }

    public bool Has(int number) => _fields.Exists(f => f.Number == number);

    public IEnumerable<ProtoMessage> Messages(int number) => _fields.Where(f => f.Number == number).Select(f => Parse(f.Bytes));

    public ProtoMessage? Message(int number) => Messages(number).FirstOrDefault();

    public string? Text(int number) => _fields.LastOrDefault(f => f.Number == number) is { } f ? Encoding.UTF8.GetString(f.Bytes.Span) : null;

    public byte[] Bytes(int number) => _fields.LastOrDefault(f => f.Number == number)?.Bytes.ToArray() ?? [];

    public ulong Scalar(int number) => _fields.LastOrDefault(f => f.Number == number)?.Scalar ?? 0;

    public double Real(int number) => BitConverter.UInt64BitsToDouble(Scalar(number));

    private static ulong ReadVarint(ReadOnlySpan<byte> span, ref int at)
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = span[at++];
            value |= (ulong)(b & 0x7f) << shift;
            if ((b & 0x80) == 0) return value;
        }
        throw new FormatException("varint longer than 10 bytes");
    }

    private sealed record Field(int Number, ulong Scalar, ReadOnlyMemory<byte> Bytes);
}
