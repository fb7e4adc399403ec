namespace IpsecMesh.Deploy.Tests.Policies;

/// <summary>Where a policy statement lives, which decides what its <c>Resource</c> means.</summary>
public enum PolicyKind
{
    /// <summary>Attached to a role: Resource names what the role may touch.</summary>
    Identity,

    /// <summary>A KMS key policy: Resource "*" means the key itself.</summary>
    Key,

    /// <summary>An S3 bucket policy.</summary>
    Bucket,

    /// <summary>An SQS queue policy.</summary>
    Queue,
}
