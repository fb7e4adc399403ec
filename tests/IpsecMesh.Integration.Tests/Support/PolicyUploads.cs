using Amazon.S3;
using Amazon.S3.Model;

namespace IpsecMesh.Integration.Tests.Support;

/// <summary>The repository's default policy files, and an operator's upload of a policy to S3 config/.</summary>
internal static class PolicyUploads
{
    public static async Task UploadAsync(IAmazonS3 s3, MeshFixture mesh, Dictionary<string, string> files, CancellationToken cancellationToken)
    {
        foreach (var (name, text) in files)
            await s3.PutObjectAsync(new PutObjectRequest { BucketName = mesh.Aws.BucketName, Key = "config/" + name, ContentBody = text }, cancellationToken);
    }

    public static Dictionary<string, string> DefaultPolicyFiles()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !Directory.Exists(Path.Combine(directory.FullName, "config", "policy"))) directory = directory.Parent;
        var policy = Path.Combine(directory?.FullName ?? throw new DirectoryNotFoundException("config/policy above the test binaries"), "config", "policy");
        return Directory.EnumerateFiles(policy).ToDictionary(f => Path.GetFileName(f), File.ReadAllText, StringComparer.Ordinal);
    }
}
