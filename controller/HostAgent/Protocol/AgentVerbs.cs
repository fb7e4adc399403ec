namespace IpsecMesh.HostAgent.Protocol;

/// <summary>The verbs of the host agent protocol, by their wire names.</summary>
public static class AgentVerbs
{
    public const string Install = "install";
    public const string ApplyConfig = "apply-config";
    public const string Csr = "csr";
    public const string InstallCert = "install-cert";
    public const string InstallP12 = "install-p12";
    public const string Status = "status";
    public const string Uninstall = "uninstall";

    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal)
    {
        Install, ApplyConfig, Csr, InstallCert, InstallP12, Status, Uninstall,
    };
}
