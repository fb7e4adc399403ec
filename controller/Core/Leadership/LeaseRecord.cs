namespace IpsecMesh.Core.Leadership;

/// <summary>The lease object's content. An empty holder means released.</summary>
public sealed record LeaseRecord(string Holder, DateTimeOffset AcquiredAt, DateTimeOffset RenewedAt, double LeaseSeconds);
