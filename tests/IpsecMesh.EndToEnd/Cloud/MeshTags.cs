namespace IpsecMesh.EndToEnd.Cloud;

/// <summary>The tag contract of docs/team-contracts.md, with the default key.</summary>
public static class MeshTags
{
    public const string Key = "IPSec";
    public const string Status = "IPSec:Status";
    public const string CertExpiry = "IPSec:CertExpiry";
    public const string Config = "IPSec:Config";

    public const string Todo = "todo";
    public const string Enabled = "enabled";
    public const string Failed = "failed";
    public const string Off = "off";
    public const string Disabled = "disabled";
}
