using System.Globalization;
using System.Text;

namespace IpsecMesh.Simulator.S3;

/// <summary>
/// Decodes "aws-chunked" bodies (SigV4 streaming uploads, with or without chunk signatures and
/// trailing checksums): "hex-size[;chunk-signature=…]\r\n data \r\n … 0…\r\n [trailers] \r\n".
/// </summary>
internal static class AwsChunkedDecoder
{
    public static bool IsChunked(IReadOnlyDictionary<string, string> headers) =>
        (headers.TryGetValue("Content-Encoding", out var encoding) && encoding.Contains("aws-chunked", StringComparison.OrdinalIgnoreCase))
        || (headers.TryGetValue("x-amz-content-sha256", out var sha) && sha.StartsWith("STREAMING-", StringComparison.Ordinal));

    public static byte[] Decode(byte[] body)
    {
        using var output = new MemoryStream();
        var position = 0;
        while (position < body.Length)
        {
            var lineEnd = IndexOfCrlf(body, position);
            if (lineEnd < 0) throw new AwsServiceException(400, "IncompleteBody", "the aws-chunked body is truncated");
            var header = Encoding.ASCII.GetString(body, position, lineEnd - position);
            var sizeText = header.Split(';')[0].Trim();
            if (!int.TryParse(sizeText, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var size) || size < 0)
                throw new AwsServiceException(400, "InvalidChunkSizeError", "an aws-chunked chunk size is not hexadecimal");
            position = lineEnd + 2;
            if (size == 0) break;
            if (position + size > body.Length) throw new AwsServiceException(400, "IncompleteBody", "the aws-chunked body is truncated");
            output.Write(body, position, size);
            position += size + 2;
        }
        return output.ToArray();
    }

    private static int IndexOfCrlf(byte[] body, int from)
    {
        for (var i = from; i + 1 < body.Length; i++)
            if (body[i] == '\r' && body[i + 1] == '\n') return i;
        return -1;
    }
}
