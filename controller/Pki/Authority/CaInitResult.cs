namespace IpsecMesh.Pki.Authority;

public sealed record CaInitResult(CaDescription Ca, CaBackup? Backup);
