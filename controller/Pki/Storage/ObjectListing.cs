namespace IpsecMesh.Pki.Storage;

public sealed record ObjectListing(string Key, long Size, DateTimeOffset LastModified, string ETag);
