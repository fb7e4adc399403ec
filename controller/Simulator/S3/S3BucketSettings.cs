namespace IpsecMesh.Simulator.S3;

/// <summary>Bucket sub-resources that a PUT sets (versioning, encryption, …): the simulator keeps them and enforces none.</summary>
internal static class S3BucketSettings
{
    private static readonly (string Query, string Name)[] Known =
    [
        ("versioning", "Versioning"), ("encryption", "Encryption"), ("publicAccessBlock", "PublicAccessBlock"), ("tagging", "Tagging"),
        ("policy", "Policy"), ("acl", "Acl"), ("cors", "Cors"), ("lifecycle", "Lifecycle"), ("ownershipControls", "OwnershipControls"),
        ("notification", "Notification"),
    ];

    /// <summary>"Versioning" for <c>PUT /bucket?versioning</c>, …; null for a plain PUT (CreateBucket).</summary>
    public static string? Of(IReadOnlyDictionary<string, string> query) =>
        Known.Where(k => query.ContainsKey(k.Query)).Select(k => k.Name).FirstOrDefault();
}
