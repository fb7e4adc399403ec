using System.Text.RegularExpressions;

namespace IpsecMesh.HostAgent.Policy;

/// <summary>
/// Checks the libreswan conn template: it must define a conn per policy group (libreswan binds a
/// group file to the conn of the same name) and present the certificate the agent installs. It
/// may hold one <c>config setup</c> section, which the agent writes into the host's ipsec.conf
/// (pluto reads those options nowhere else), limited to the options that tune the mesh.
/// </summary>
public static partial class ConnTemplate
{
    /// <summary>The NSS nickname under which the host agent installs the host certificate.</summary>
    public const string HostCertificateNickname = "ipsec-mesh-host";

    /// <summary>
    /// The <c>config setup</c> options a template may set. Others (logging, NSS and run
    /// directories, listen addresses) belong to the host and the agent, not to the mesh.
    /// </summary>
    public static IReadOnlyList<string> SetupOptions { get; } = ["shuntlifetime", "plutodebug", "crlcheckinterval", "crl-strict"];

    public static void Validate(string text, string fileLabel, ICollection<PolicyError> errors)
    {
        var defined = new HashSet<string>(StringComparer.Ordinal);
        var lines = PolicyFileParser.SplitLines(text);
        var setupSeen = false;
        var inSetup = false;
        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i];
            if (SetupLine().IsMatch(line))
            {
                if (setupSeen) errors.Add(new PolicyError(fileLabel, i + 1, "'config setup' appears twice"));
                setupSeen = inSetup = true;
                continue;
            }
            if (SectionStart().IsMatch(line)) inSetup = false;
            if (inSetup)
            {
                ValidateSetupOption(line, fileLabel, i + 1, errors);
                continue;
            }
            var conn = ConnLine().Match(line);
            if (conn.Success && !defined.Add(conn.Groups[1].Value))
                errors.Add(new PolicyError(fileLabel, i + 1, $"conn '{conn.Groups[1].Value}' is defined twice"));
            var cert = LeftCertLine().Match(line);
            if (cert.Success && cert.Groups[1].Value.Trim('"') != HostCertificateNickname)
                errors.Add(new PolicyError(fileLabel, i + 1, $"leftcert must be '{HostCertificateNickname}', the nickname the host agent installs"));
        }
        foreach (var group in PolicyGroups.All.Where(g => !defined.Contains(g)))
            errors.Add(new PolicyError(fileLabel, 0, $"the template has no 'conn {group}'"));
    }

    private static void ValidateSetupOption(string line, string fileLabel, int number, ICollection<PolicyError> errors)
    {
        if (BlankOrComment().IsMatch(line)) return;
        var option = OptionLine().Match(line);
        if (!option.Success)
        {
            errors.Add(new PolicyError(fileLabel, number, "a config setup line must be an indented 'option=value'"));
            return;
        }
        var (name, value) = (option.Groups[1].Value, option.Groups[2].Value.Trim());
        if (!SetupOptions.Contains(name))
            errors.Add(new PolicyError(fileLabel, number,
                $"config setup option '{name}' is not one the mesh may set (allowed: {string.Join(", ", SetupOptions)})"));
        else if (name is ("shuntlifetime" or "crlcheckinterval") && !Duration().IsMatch(value))
            errors.Add(new PolicyError(fileLabel, number, $"{name} '{value}' is not a duration such as 90s, 2m or 1h"));
        else if (name == "crl-strict" && value is not ("yes" or "no"))
            errors.Add(new PolicyError(fileLabel, number, $"crl-strict '{value}' must be yes or no"));
        else if (name == "plutodebug" && !DebugClasses().IsMatch(value))
            errors.Add(new PolicyError(fileLabel, number, $"plutodebug '{value}' must be debug class names such as \"none\" or \"base crypt\""));
    }

    [GeneratedRegex(@"^config\s+setup\s*(#.*)?$")]
    private static partial Regex SetupLine();

    /// <summary>A line that starts a section (or an include): anything not indented, not a comment.</summary>
    [GeneratedRegex(@"^[^\s#]")]
    private static partial Regex SectionStart();

    [GeneratedRegex(@"^\s+([A-Za-z0-9-]+)\s*=\s*([^#]*)")]
    private static partial Regex OptionLine();

    [GeneratedRegex(@"^\s*(#.*)?$")]
    private static partial Regex BlankOrComment();

    [GeneratedRegex(@"^""?[a-z0-9-]+( [a-z0-9-]+)*""?$")]
    private static partial Regex DebugClasses();

    [GeneratedRegex(@"^[0-9]+[smhd]?$")]
    private static partial Regex Duration();

    [GeneratedRegex(@"^conn\s+(\S+)\s*(#.*)?$")]
    private static partial Regex ConnLine();

    [GeneratedRegex(@"^\s+leftcert\s*=\s*(\S+)")]
    private static partial Regex LeftCertLine();
}
