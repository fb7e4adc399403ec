using System.Text.Json;
using System.Text.Json.Nodes;

namespace IpsecMesh.Simulator.Ssm;

/// <summary>
/// aws:downloadContent with sourceType S3, as the SSM agent runs it: the object at sourceInfo's path
/// (path-style https://s3.REGION.SUFFIX/BUCKET/KEY or virtual-hosted https://BUCKET.s3.…/KEY) to
/// destinationPath on the instance (a relative one under the command's orchestration directory).
/// </summary>
internal static class DocumentDownload
{
    /// <returns>The plugin's status, exit code, stdout and stderr; on success the file is in <paramref name="files"/>.</returns>
    public static (string Status, int Code, string Stdout, string Stderr) Run(DocumentStep step, string instanceId, string commandId,
        Dictionary<string, byte[]> files, Func<string, string, byte[]?> readObject)
    {
        if (DocumentParameters.Text(step.Inputs["sourceType"]) != "S3") return (CommandStatus.Failed, 1, "", "the simulator downloads from S3 only\n");
        string? path;
        try
        {
            path = JsonNode.Parse(DocumentParameters.Text(step.Inputs["sourceInfo"]) ?? "")?["path"]?.GetValue<string>();
        }
        catch (JsonException)
        {
            return (CommandStatus.Failed, 1, "", "sourceInfo is not JSON\n");
        }
        if (!Uri.TryCreate(path, UriKind.Absolute, out var url)) return (CommandStatus.Failed, 1, "", "sourceInfo has no S3 path\n");
        var (bucket, key) = BucketAndKey(url);
        var destination = DocumentParameters.Text(step.Inputs["destinationPath"]) ?? "";
        if (!destination.StartsWith('/'))
            destination = $"/var/lib/amazon/ssm/{instanceId}/document/orchestration/{commandId}/downloads/{destination}";
        var content = readObject(bucket, key);
        if (content is null) return (CommandStatus.Failed, 1, "", $"failed to download s3://{bucket}/{key}: NoSuchKey\n");
        files[destination] = content;
        return (CommandStatus.Success, 0, $"Content downloaded to {destination}\n", "");
    }

    private static (string Bucket, string Key) BucketAndKey(Uri url)
    {
        var path = Uri.UnescapeDataString(url.AbsolutePath.TrimStart('/'));
        if (url.Host.StartsWith("s3.", StringComparison.Ordinal) || url.Host.StartsWith("s3-", StringComparison.Ordinal))
        {
            var slash = path.IndexOf('/', StringComparison.Ordinal);
            return slash < 0 ? (path, "") : (path[..slash], path[(slash + 1)..]);
        }
        var s3 = url.Host.IndexOf(".s3", StringComparison.Ordinal);
        return (s3 < 0 ? url.Host : url.Host[..s3], path);
    }
}
