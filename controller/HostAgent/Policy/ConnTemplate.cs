using System.Text.RegularExpressions;

namespace IpsecMesh.HostAgent.Policy;

/// <summary>
/// Checks the libreswan conn template: it must define a conn per policy group (libreswan binds a
/// group file to the conn of the same name) and present the certificate the agent installs.
/// </summary>
public static partial class ConnTemplate
{
    /// <summary>The NSS nickname under which the host agent installs the host certificate.</summary>
    public const string HostCertificateNickname = "ipsec-mesh-host";

    public static void Validate(string text, string fileLabel, ICollection<PolicyError> errors)
    {
        var defined = new HashSet<string>(StringComparer.Ordinal);
        var lines = PolicyFileParser.SplitLines(text);
        for (var i = 0; i < lines.Count; i++)
        {
            var conn = ConnLine().Match(lines[i]);
            if (conn.Success && !defined.Add(conn.Groups[1].Value))
                errors.Add(new PolicyError(fileLabel, i + 1, $"conn '{conn.Groups[1].Value}' is defined twice"));
            var cert = LeftCertLine().Match(lines[i]);
            if (cert.Success && cert.Groups[1].Value.Trim('"') != HostCertificateNickname)
                errors.Add(new PolicyError(fileLabel, i + 1, $"leftcert must be '{HostCertificateNickname}', the nickname the host agent installs"));
        }
        foreach (var group in PolicyGroups.All.Where(g => !defined.Contains(g)))
            errors.Add(new PolicyError(fileLabel, 0, $"the template has no 'conn {group}'"));
    }

    [GeneratedRegex(@"^conn\s+(\S+)\s*(#.*)?$")]
    private static partial Regex ConnLine();

    [GeneratedRegex(@"^\s+leftcert\s*=\s*(\S+)")]
    private static partial Regex LeftCertLine();
}
