using Amazon.S3;
using Amazon.S3.Model;
using IpsecMesh.EndToEnd.Guest;
using IpsecMesh.Simulator;

namespace IpsecMesh.EndToEnd.Cloud;

/// <summary>The simulated AWS as the scenarios use it: EC2 tags through the fleet, policy uploads through the real S3 client.</summary>
public sealed class SimulatedMeshCloud(SimulatedAws aws, IReadOnlyDictionary<string, SimInstance> instances, IAmazonS3 s3) : IMeshCloud
{
    public string InstanceIdOf(GuestHost host) => instances[host.Name].InstanceId;

    public IReadOnlyDictionary<string, string> TagsOf(GuestHost host) => instances[host.Name].Tags;

    public void SetMeshTag(GuestHost host, string value) => aws.Fleet.SetTag(instances[host.Name].InstanceId, MeshTags.Key, value);

    public async Task UploadPolicyAsync(MeshPolicy policy, CancellationToken cancellationToken)
    {
        foreach (var (name, content) in policy.Files)
            await s3.PutObjectAsync(new PutObjectRequest { BucketName = aws.BucketName, Key = "config/" + name, ContentBody = content }, cancellationToken);
    }
}
