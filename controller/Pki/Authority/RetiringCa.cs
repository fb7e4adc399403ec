namespace IpsecMesh.Pki.Authority;

public sealed record RetiringCa(string CaId, DateTimeOffset RetireAt);
