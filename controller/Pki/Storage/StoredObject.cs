namespace IpsecMesh.Pki.Storage;

public sealed record StoredObject(byte[] Content, string ETag);
