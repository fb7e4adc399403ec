namespace IpsecMesh.Simulator.S3;

/// <summary>One stored object version (the simulator keeps only the latest).</summary>
internal sealed record S3Object(byte[] Body, string ETag, DateTimeOffset LastModified, string ContentType, IReadOnlyDictionary<string, string> Metadata);
