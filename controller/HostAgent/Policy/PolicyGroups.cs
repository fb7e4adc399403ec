namespace IpsecMesh.HostAgent.Policy;

/// <summary>The libreswan opportunistic-IPsec policy groups; each is a file and a conn of the same name.</summary>
public static class PolicyGroups
{
    public const string Private = "private";
    public const string Clear = "clear";
    public const string PrivateOrClear = "private-or-clear";
    public const string ClearOrPrivate = "clear-or-private";
    public const string Block = "block";

    /// <summary>The conn template's file name in config/policy and on the host (/etc/ipsec.d).</summary>
    public const string TemplateFile = "ipsec-mesh.conf";

    public static readonly IReadOnlyList<string> All = [Private, Clear, PrivateOrClear, ClearOrPrivate, Block];

    /// <summary>Groups whose peers are in the mesh: where IPsec may be negotiated.</summary>
    public static readonly IReadOnlyList<string> Meshed = [Private, PrivateOrClear, ClearOrPrivate];
}
