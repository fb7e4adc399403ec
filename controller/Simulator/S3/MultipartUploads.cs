using System.Globalization;
using System.Security.Cryptography;
using System.Xml.Linq;
using IpsecMesh.Simulator.Wire;

namespace IpsecMesh.Simulator.S3;

/// <summary>
/// S3 multipart uploads (what <c>aws s3 cp</c> does for files of 8 MB and more): parts of at least 5 MiB but the last,
/// numbered 1 to 10,000, completed in ascending order; the object's ETag is the MD5 of the parts' MD5s, "-N".
/// Not thread-safe: <see cref="S3Service"/> calls it under its lock.
/// </summary>
internal sealed class MultipartUploads(TimeProvider time)
{
    private const long MinPartSize = 5 * 1024 * 1024;
    private static readonly XNamespace Ns = "http://s3.amazonaws.com/doc/2006-03-01/";
    private readonly Dictionary<string, Upload> _uploads = new(StringComparer.Ordinal);

    private sealed class Upload(string bucket, string key, string contentType, IReadOnlyDictionary<string, string> metadata, DateTimeOffset initiated)
    {
        public string Bucket { get; } = bucket;
        public string Key { get; } = key;
        public string ContentType { get; } = contentType;
        public IReadOnlyDictionary<string, string> Metadata { get; } = metadata;
        public DateTimeOffset Initiated { get; } = initiated;
        public SortedDictionary<int, (byte[] Body, string ETag)> Parts { get; } = [];
    }

    public SimResponse Create(string bucket, string key, SimRequest request)
    {
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        var metadata = request.Headers.Where(h => h.Key.StartsWith("x-amz-meta-", StringComparison.OrdinalIgnoreCase))
            .ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value, StringComparer.Ordinal);
        _uploads[id] = new Upload(bucket, key, request.Header("Content-Type") ?? "binary/octet-stream", metadata, time.GetUtcNow());
        return S3Xml.Document(new XElement(Ns + "InitiateMultipartUploadResult",
            new XElement(Ns + "Bucket", bucket), new XElement(Ns + "Key", key), new XElement(Ns + "UploadId", id)));
    }

    public SimResponse UploadPart(string bucket, string key, SimRequest request)
    {
        var upload = Find(bucket, key, request);
        if (!int.TryParse(request.Query.GetValueOrDefault("partNumber"), NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number is < 1 or > 10_000)
            throw new AwsServiceException(400, "InvalidArgument", "Part number must be an integer between 1 and 10000, inclusive");
        var body = AwsChunkedDecoder.IsChunked(request.Headers) ? AwsChunkedDecoder.Decode(request.Body) : request.Body;
        var etag = "\"" + S3Xml.Md5Hex(body) + "\"";
        upload.Parts[number] = (body, etag);
        var response = new SimResponse();
        response.Headers["ETag"] = etag;
        return response;
    }

    public (byte[] Body, string ETag, string ContentType, IReadOnlyDictionary<string, string> Metadata) Complete(string bucket, string key, SimRequest request)
    {
        var upload = Find(bucket, key, request);
        XElement listed;
        try
        {
            listed = XElement.Parse(request.BodyText);
        }
        catch (System.Xml.XmlException)
        {
            throw new AwsServiceException(400, "MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema");
        }
        var parts = listed.Elements().Where(e => e.Name.LocalName == "Part").Select(p => (
            Number: int.TryParse(p.Elements().FirstOrDefault(e => e.Name.LocalName == "PartNumber")?.Value, CultureInfo.InvariantCulture, out var n) ? n : -1,
            ETag: p.Elements().FirstOrDefault(e => e.Name.LocalName == "ETag")?.Value ?? "")).ToList();
        if (parts.Count == 0) throw new AwsServiceException(400, "MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema");
        for (var i = 1; i < parts.Count; i++)
            if (parts[i].Number <= parts[i - 1].Number) throw new AwsServiceException(400, "InvalidPartOrder", "The list of parts was not in ascending order.");
        var chosen = new List<byte[]>();
        using var md5s = new MemoryStream();
        for (var i = 0; i < parts.Count; i++)
        {
            var (number, etag) = parts[i];
            if (!upload.Parts.TryGetValue(number, out var part) || Unquote(part.ETag) != Unquote(etag))
                throw new AwsServiceException(400, "InvalidPart", "One or more of the specified parts could not be found.");
            if (i < parts.Count - 1 && part.Body.Length < MinPartSize)
                throw new AwsServiceException(400, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed object size.");
            chosen.Add(part.Body);
            md5s.Write(Convert.FromHexString(Unquote(part.ETag)));
        }
        _uploads.Remove(request.Query["uploadId"]);
        var body = chosen.SelectMany(b => b).ToArray();
        return (body, $"\"{S3Xml.Md5Hex(md5s.ToArray())}-{parts.Count}\"", upload.ContentType, upload.Metadata);
    }

    public SimResponse Abort(string bucket, string key, SimRequest request)
    {
        Find(bucket, key, request);
        _uploads.Remove(request.Query["uploadId"]);
        return new SimResponse { Status = 204 };
    }

    public SimResponse ListParts(string bucket, string key, SimRequest request)
    {
        var upload = Find(bucket, key, request);
        return S3Xml.Document(new XElement(Ns + "ListPartsResult",
            new XElement(Ns + "Bucket", bucket), new XElement(Ns + "Key", key), new XElement(Ns + "UploadId", request.Query["uploadId"]),
            new XElement(Ns + "IsTruncated", "false"),
            upload.Parts.Select(p => new XElement(Ns + "Part", new XElement(Ns + "PartNumber", p.Key), new XElement(Ns + "ETag", p.Value.ETag),
                new XElement(Ns + "Size", p.Value.Body.Length)))));
    }

    public SimResponse List(string bucket) =>
        S3Xml.Document(new XElement(Ns + "ListMultipartUploadsResult",
            new XElement(Ns + "Bucket", bucket), new XElement(Ns + "IsTruncated", "false"),
            _uploads.Where(u => u.Value.Bucket == bucket).Select(u => new XElement(Ns + "Upload",
                new XElement(Ns + "Key", u.Value.Key), new XElement(Ns + "UploadId", u.Key),
                new XElement(Ns + "Initiated", u.Value.Initiated.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture))))));

    private Upload Find(string bucket, string key, SimRequest request)
    {
        var id = request.Query.GetValueOrDefault("uploadId") ?? "";
        return _uploads.TryGetValue(id, out var upload) && upload.Bucket == bucket && upload.Key == key
            ? upload
            : throw new AwsServiceException(404, "NoSuchUpload", "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.");
    }

    private static string Unquote(string etag) => etag.Trim().Trim('"');
}
