using IpsecMesh.HostAgent.Policy;

namespace IpsecMesh.HostAgent.Tests.Support;

/// <summary>
/// The names pluto runs the policy groups under: the certificate conns as set ~a or ~b
/// (private~a …, modules/conn-sets.sh), clear and block as they are.
/// </summary>
internal static class ConnSets
{
    public static readonly IReadOnlyList<string> CertificateGroups = [PolicyGroups.Private, PolicyGroups.PrivateOrClear, PolicyGroups.ClearOrPrivate];

    /// <summary>Every conn of set <paramref name="set"/> ("~a" or "~b").</summary>
    public static IReadOnlyList<string> Of(string set) =>
        [.. PolicyGroups.All.Select(g => CertificateGroups.Contains(g) ? g + set : g)];

    /// <summary>The host certificate's NSS nickname in set <paramref name="set"/>.</summary>
    public static string Nickname(string set) => set == "~b" ? "ipsec-mesh-host~b" : "ipsec-mesh-host";
}
