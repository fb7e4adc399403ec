using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using IpsecMesh.Simulator.State;
using IpsecMesh.Simulator.Wire;

namespace IpsecMesh.Simulator.S3;

/// <summary>
/// S3 over REST/XML: path-style "/bucket/key" (virtual-hosted "bucket.host/key" is understood too),
/// ETags, conditional writes (If-None-Match: * and If-Match) answered with 412 PreconditionFailed.
/// </summary>
internal sealed class S3Service(TimeProvider time) : IAwsService
{
    private static readonly XNamespace Ns = "http://s3.amazonaws.com/doc/2006-03-01/";
    private readonly Lock _sync = new();
    private const string OwnerId = "75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a";
    private readonly Dictionary<string, SortedDictionary<string, S3Object>> _buckets = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _created = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Bucket, string Operation), string> _settings = [];
    private readonly MultipartUploads _uploads = new(time);

    public string Name => "s3";

    public void CreateBucket(string name)
    {
        lock (_sync)
            if (_buckets.TryAdd(name, new SortedDictionary<string, S3Object>(StringComparer.Ordinal))) _created[name] = time.GetUtcNow();
    }

    /// <summary>Direct read for tests and exports: the object's bytes, or null.</summary>
    public byte[]? Read(string bucket, string key)
    {
        lock (_sync) return _buckets.GetValueOrDefault(bucket)?.GetValueOrDefault(key)?.Body;
    }

    /// <summary>Direct write for tests (as an operator's upload would land): no API call is counted.</summary>
    public void Write(string bucket, string key, byte[] body)
    {
        lock (_sync)
        {
            var objects = _buckets.GetValueOrDefault(bucket) ?? throw new KeyNotFoundException($"no bucket '{bucket}'");
            objects[key] = new S3Object(body, "\"" + Md5Hex(body) + "\"", time.GetUtcNow(), "binary/octet-stream", new Dictionary<string, string>());
        }
    }

    public IReadOnlyList<string> Keys(string bucket, string prefix = "")
    {
        lock (_sync) return _buckets.GetValueOrDefault(bucket)?.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).ToArray() ?? [];
    }

    internal IReadOnlyList<BucketState> Export()
    {
        lock (_sync)
            return _buckets.Select(b => new BucketState(b.Key, _created.GetValueOrDefault(b.Key),
                b.Value.Select(o => new ObjectState(o.Key, o.Value.Body, o.Value.ETag, o.Value.LastModified, o.Value.ContentType, o.Value.Metadata)).ToArray(),
                _settings.Where(s => s.Key.Bucket == b.Key).ToDictionary(s => s.Key.Operation, s => s.Value, StringComparer.Ordinal))).ToArray();
    }

    internal void Import(IReadOnlyList<BucketState> buckets)
    {
        lock (_sync)
        {
            foreach (var saved in buckets)
            {
                var bucket = new SortedDictionary<string, S3Object>(StringComparer.Ordinal);
                foreach (var o in saved.Objects) bucket[o.Key] = new S3Object(o.Body, o.ETag, o.LastModified, o.ContentType, o.Metadata);
                _buckets[saved.Name] = bucket;
                _created[saved.Name] = saved.Created;
                foreach (var (operation, body) in saved.Settings) _settings[(saved.Name, operation)] = body;
            }
        }
    }

    public string OperationOf(SimRequest request)
    {
        var (bucket, key) = Locate(request);
        var query = request.Query;
        if (bucket.Length == 0)
            return request.Method == "GET" ? "ListBuckets" : throw new AwsServiceException(405, "MethodNotAllowed", "The specified method is not allowed against this resource.");
        return (request.Method, key.Length > 0) switch
        {
            ("GET", false) when query.ContainsKey("list-type") => "ListObjectsV2",
            ("GET", false) when query.ContainsKey("location") => "GetBucketLocation",
            ("GET", false) when query.ContainsKey("versioning") => "GetBucketVersioning",
            ("GET", false) when query.ContainsKey("uploads") => "ListMultipartUploads",
            ("GET", false) => "ListObjects",
            ("HEAD", false) => "HeadBucket",
            ("PUT", false) when S3BucketSettings.Of(query) is { } setting => "PutBucket" + setting,
            ("PUT", false) => "CreateBucket",
            ("DELETE", false) => "DeleteBucket",
            ("POST", true) when query.ContainsKey("uploads") => "CreateMultipartUpload",
            ("POST", true) when query.ContainsKey("uploadId") => "CompleteMultipartUpload",
            ("PUT", true) when query.ContainsKey("uploadId") => "UploadPart",
            ("DELETE", true) when query.ContainsKey("uploadId") => "AbortMultipartUpload",
            ("GET", true) when query.ContainsKey("uploadId") => "ListParts",
            ("GET", true) => "GetObject",
            ("HEAD", true) => "HeadObject",
            ("PUT", true) => "PutObject",
            ("DELETE", true) => "DeleteObject",
            _ => throw new AwsServiceException(501, "NotImplemented", $"the simulator does not implement {request.Method} on this resource"),
        };
    }

    public Task<SimResponse> HandleAsync(string operation, SimRequest request, CancellationToken cancellationToken)
    {
        var (bucketName, key) = Locate(request);
        lock (_sync)
        {
            if (operation == "ListBuckets") return Task.FromResult(ListBuckets());
            if (operation == "CreateBucket") return Task.FromResult(CreateBucketOnWire(bucketName));
            var bucket = _buckets.GetValueOrDefault(bucketName)
                ?? throw new AwsServiceException(404, "NoSuchBucket", "The specified bucket does not exist");
            if (operation.StartsWith("PutBucket", StringComparison.Ordinal))
            {
                // Versioning, encryption, public access block, tags, policy: kept, not enforced (docs/simulator.md).
                _settings[(bucketName, operation)] = request.BodyText;
                return Task.FromResult(new SimResponse());
            }
            return Task.FromResult(operation switch
            {
                "ListObjectsV2" => ListObjectsV2(bucketName, bucket, request.Query),
                "GetBucketLocation" => Xml(200, new XElement(Ns + "LocationConstraint")),
                "GetBucketVersioning" => Xml(200, new XElement(Ns + "VersioningConfiguration",
                    _settings.TryGetValue((bucketName, "PutBucketVersioning"), out var versioning) && versioning.Contains("Enabled", StringComparison.Ordinal)
                        ? new XElement(Ns + "Status", "Enabled") : null)),
                "HeadBucket" => new SimResponse(),
                "DeleteBucket" => DeleteBucket(bucketName, bucket),
                "GetObject" => GetObject(bucket, key, request, head: false),
                "HeadObject" => GetObject(bucket, key, request, head: true),
                "PutObject" => PutObject(bucket, key, request),
                "DeleteObject" => DeleteObject(bucket, key, request),
                "CreateMultipartUpload" => _uploads.Create(bucketName, key, request),
                "UploadPart" => _uploads.UploadPart(bucketName, key, request),
                "CompleteMultipartUpload" => Complete(bucketName, bucket, key, request),
                "AbortMultipartUpload" => _uploads.Abort(bucketName, key, request),
                "ListParts" => _uploads.ListParts(bucketName, key, request),
                "ListMultipartUploads" => _uploads.List(bucketName),
                _ => throw new AwsServiceException(501, "NotImplemented", $"the simulator does not implement {operation}"),
            });
        }
    }

    private SimResponse ListBuckets()
    {
        var document = new XElement(Ns + "ListAllMyBucketsResult",
            new XElement(Ns + "Owner", new XElement(Ns + "ID", OwnerId), new XElement(Ns + "DisplayName", "simulated")),
            new XElement(Ns + "Buckets", _buckets.Keys.Order(StringComparer.Ordinal).Select(name => new XElement(Ns + "Bucket",
                new XElement(Ns + "Name", name),
                new XElement(Ns + "CreationDate", _created.GetValueOrDefault(name).UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture))))));
        return Xml(200, document);
    }

    /// <summary>In us-east-1 S3 answers 200 to re-creating a bucket one owns; names follow S3's rules.</summary>
    private SimResponse CreateBucketOnWire(string name)
    {
        if (name.Length is < 3 or > 63 || !name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '.')
            || !char.IsAsciiLetterOrDigit(name[0]) || !char.IsAsciiLetterOrDigit(name[^1]))
            throw new AwsServiceException(400, "InvalidBucketName", "The specified bucket is not valid.");
        if (_buckets.TryAdd(name, new SortedDictionary<string, S3Object>(StringComparer.Ordinal))) _created[name] = time.GetUtcNow();
        var response = new SimResponse();
        response.Headers["Location"] = "/" + name;
        return response;
    }

    private SimResponse DeleteBucket(string name, SortedDictionary<string, S3Object> bucket)
    {
        if (bucket.Count > 0) throw new AwsServiceException(409, "BucketNotEmpty", "The bucket you tried to delete is not empty");
        _buckets.Remove(name);
        _created.Remove(name);
        return new SimResponse { Status = 204 };
    }

    private SimResponse Complete(string bucketName, SortedDictionary<string, S3Object> bucket, string key, SimRequest request)
    {
        var (body, etag, contentType, metadata) = _uploads.Complete(bucketName, key, request);
        bucket[key] = new S3Object(body, etag, time.GetUtcNow(), contentType, metadata);
        var document = new XElement(Ns + "CompleteMultipartUploadResult",
            new XElement(Ns + "Location", $"http://{request.Authority}/{bucketName}/{key}"),
            new XElement(Ns + "Bucket", bucketName),
            new XElement(Ns + "Key", key),
            new XElement(Ns + "ETag", etag));
        return Xml(200, document);
    }

    public SimResponse FormatError(AwsServiceException error, SimRequest request)
    {
        if (request.Method == "HEAD") return new SimResponse { Status = error.Status };
        var document = new XElement("Error",
            new XElement("Code", error.Code),
            new XElement("Message", error.Message),
            new XElement("RequestId", request.RequestId));
        return Xml(error.Status, document);
    }

    public AwsServiceException Throttled() => new(503, "SlowDown", "Please reduce your request rate.");

    public AwsServiceException InternalError() => new(500, "InternalError", "We encountered an internal error. Please try again.");

    private SimResponse PutObject(SortedDictionary<string, S3Object> bucket, string key, SimRequest request)
    {
        bucket.TryGetValue(key, out var existing);
        var ifNoneMatch = request.Header("If-None-Match");
        if (ifNoneMatch is not null)
        {
            if (ifNoneMatch.Trim() != "*") throw new AwsServiceException(501, "NotImplemented", "If-None-Match on PUT accepts only *");
            if (existing is not null) throw PreconditionFailed("If-None-Match");
        }
        var ifMatch = request.Header("If-Match");
        if (ifMatch is not null)
        {
            if (existing is null) throw NoSuchKey();
            if (!EtagMatches(ifMatch, existing.ETag)) throw PreconditionFailed("If-Match");
        }
        var body = AwsChunkedDecoder.IsChunked(request.Headers) ? AwsChunkedDecoder.Decode(request.Body) : request.Body;
        var metadata = request.Headers
            .Where(h => h.Key.StartsWith("x-amz-meta-", StringComparison.OrdinalIgnoreCase))
            .ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value, StringComparer.Ordinal);
        var etag = "\"" + Md5Hex(body) + "\"";
        bucket[key] = new S3Object(body, etag, time.GetUtcNow(), request.Header("Content-Type") ?? "binary/octet-stream", metadata);
        var response = new SimResponse();
        response.Headers["ETag"] = etag;
        return response;
    }

    private static SimResponse GetObject(SortedDictionary<string, S3Object> bucket, string key, SimRequest request, bool head)
    {
        if (!bucket.TryGetValue(key, out var item)) throw NoSuchKey();
        if (request.Header("If-Match") is { } ifMatch && !EtagMatches(ifMatch, item.ETag)) throw PreconditionFailed("If-Match");
        if (request.Header("If-None-Match") is { } ifNoneMatch && EtagMatches(ifNoneMatch, item.ETag))
        {
            var notModified = new SimResponse { Status = 304 };
            notModified.Headers["ETag"] = item.ETag;
            return notModified;
        }
        var range = request.Header("Range") is { } rangeHeader ? ByteRange.Parse(rangeHeader, item.Body.Length) : null;
        var body = range is { } r ? item.Body.AsSpan((int)r.First, (int)r.Length).ToArray() : item.Body;
        var response = new SimResponse
        {
            Status = range is null ? 200 : 206,
            ContentType = item.ContentType,
            Body = head ? [] : body,
            ContentLengthOverride = body.Length,
        };
        if (range is { } part) response.Headers["Content-Range"] = $"bytes {part.First}-{part.Last}/{item.Body.Length}";
        response.Headers["ETag"] = item.ETag;
        response.Headers["Last-Modified"] = item.LastModified.ToString("r", CultureInfo.InvariantCulture);
        response.Headers["Accept-Ranges"] = "bytes";
        foreach (var (name, value) in item.Metadata) response.Headers[name] = value;
        return response;
    }

    private static SimResponse DeleteObject(SortedDictionary<string, S3Object> bucket, string key, SimRequest request)
    {
        if (request.Header("If-Match") is { } ifMatch)
        {
            if (!bucket.TryGetValue(key, out var existing)) throw NoSuchKey();
            if (!EtagMatches(ifMatch, existing.ETag)) throw PreconditionFailed("If-Match");
        }
        bucket.Remove(key);
        return new SimResponse { Status = 204 };
    }

    private static SimResponse ListObjectsV2(string bucketName, SortedDictionary<string, S3Object> bucket, IReadOnlyDictionary<string, string> query)
    {
        var prefix = query.GetValueOrDefault("prefix") ?? "";
        var delimiter = query.GetValueOrDefault("delimiter");
        var startAfter = query.GetValueOrDefault("start-after");
        var token = query.GetValueOrDefault("continuation-token");
        var urlEncode = query.GetValueOrDefault("encoding-type") == "url";
        var maxKeys = query.TryGetValue("max-keys", out var mk)
            ? int.TryParse(mk, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) ? Math.Min(parsed, 1000)
                : throw new AwsServiceException(400, "InvalidArgument", "max-keys must be a non-negative integer")
            : 1000;
        string? after = startAfter;
        if (token is not null)
        {
            try { after = Encoding.UTF8.GetString(Convert.FromBase64String(token)); }
            catch (FormatException) { throw new AwsServiceException(400, "InvalidArgument", "The continuation token provided is incorrect"); }
        }
        var contents = new List<(string Key, S3Object Item)>();
        var prefixes = new List<string>();
        string? last = null;
        var truncated = false;
        foreach (var (key, item) in bucket)
        {
            if (!key.StartsWith(prefix, StringComparison.Ordinal)) continue;
            if (after is not null && string.CompareOrdinal(key, after) <= 0) continue;
            string? common = null;
            if (!string.IsNullOrEmpty(delimiter))
            {
                var at = key.IndexOf(delimiter, prefix.Length, StringComparison.Ordinal);
                if (at >= 0) common = key[..(at + delimiter.Length)];
            }
            if (common is not null && (prefixes.Count > 0 && prefixes[^1] == common)) continue;
            if (common is not null && after is not null && common.StartsWith(after, StringComparison.Ordinal) && after.EndsWith(delimiter!, StringComparison.Ordinal)) continue;
            if (contents.Count + prefixes.Count >= maxKeys)
            {
                truncated = true;
                break;
            }
            if (common is not null)
            {
                prefixes.Add(common);
                last = common;
            }
            else
            {
                contents.Add((key, item));
                last = key;
            }
        }
        string Enc(string s) => urlEncode ? WebUtility.UrlEncode(s).Replace("%2F", "/", StringComparison.Ordinal) : s;
        var document = new XElement(Ns + "ListBucketResult",
            new XElement(Ns + "Name", bucketName),
            new XElement(Ns + "Prefix", Enc(prefix)),
            new XElement(Ns + "KeyCount", contents.Count + prefixes.Count),
            new XElement(Ns + "MaxKeys", maxKeys),
            delimiter is null ? null : new XElement(Ns + "Delimiter", Enc(delimiter)),
            new XElement(Ns + "IsTruncated", truncated ? "true" : "false"),
            token is null ? null : new XElement(Ns + "ContinuationToken", token),
            truncated && last is not null ? new XElement(Ns + "NextContinuationToken", Convert.ToBase64String(Encoding.UTF8.GetBytes(last))) : null,
            startAfter is null ? null : new XElement(Ns + "StartAfter", Enc(startAfter)),
            urlEncode ? new XElement(Ns + "EncodingType", "url") : null,
            contents.Select(c => new XElement(Ns + "Contents",
                new XElement(Ns + "Key", Enc(c.Key)),
                new XElement(Ns + "LastModified", c.Item.LastModified.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture)),
                new XElement(Ns + "ETag", c.Item.ETag),
                new XElement(Ns + "Size", c.Item.Body.Length),
                new XElement(Ns + "StorageClass", "STANDARD"))),
            prefixes.Select(p => new XElement(Ns + "CommonPrefixes", new XElement(Ns + "Prefix", Enc(p)))));
        return Xml(200, document);
    }

    private (string Bucket, string Key) Locate(SimRequest request)
    {
        var path = request.RawPath.TrimStart('/');
        string? bucket;
        lock (_sync) bucket = _buckets.Keys.FirstOrDefault(b => request.Host.StartsWith(b + ".", StringComparison.Ordinal));
        if (bucket is not null) return (bucket, Uri.UnescapeDataString(path));
        var slash = path.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? (Uri.UnescapeDataString(path), "") : (Uri.UnescapeDataString(path[..slash]), Uri.UnescapeDataString(path[(slash + 1)..]));
    }

    private static bool EtagMatches(string header, string etag) =>
        header.Split(',').Select(e => e.Trim()).Any(e => e == "*" || e == etag || "\"" + e + "\"" == etag);

    private static AwsServiceException NoSuchKey() => new(404, "NoSuchKey", "The specified key does not exist.");

    private static AwsServiceException PreconditionFailed(string condition) =>
        new(412, "PreconditionFailed", $"At least one of the pre-conditions you specified did not hold ({condition})");

#pragma warning disable CA5351 // S3 ETags are MD5 by definition; this is not a security use
    private static string Md5Hex(byte[] body) => Convert.ToHexStringLower(MD5.HashData(body));
#pragma warning restore CA5351

    private static SimResponse Xml(int status, XElement document) =>
        new()
        {
            Status = status,
            ContentType = "application/xml",
            Body = Encoding.UTF8.GetBytes(new XDeclaration("1.0", "UTF-8", null) + document.ToString(SaveOptions.DisableFormatting)),
        };
}
