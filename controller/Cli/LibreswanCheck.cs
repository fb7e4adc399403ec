using System.Diagnostics;
using System.Text.RegularExpressions;
using IpsecMesh.HostAgent.Policy;

namespace IpsecMesh.Cli;

/// <summary>
/// Runs libreswan's own parser on the conn template where libreswan is installed (an operator's
/// laptop, CI): <c>addconn --config FILE --checkconfig</c> loads the file as pluto would, without a
/// running pluto, and names the line of an unknown keyword or a bad value (libreswan 4.x and 5.x,
/// programs/addconn/addconn.c). The template's line numbers are kept: the file checked is the template.
/// </summary>
public static partial class LibreswanCheck
{
    private static readonly string[] Candidates = ["/usr/libexec/ipsec/addconn", "/usr/local/libexec/ipsec/addconn"];

    /// <summary>The addconn binary, or null when libreswan is not installed here.</summary>
    public static string? Locate() => Candidates.FirstOrDefault(File.Exists);

    public static async Task<IReadOnlyList<PolicyError>> CheckAsync(string addconn, string template, string fileLabel, CancellationToken cancellationToken)
    {
        var directory = Directory.CreateTempSubdirectory("ipsec-mesh-check-");
        try
        {
            var path = Path.Combine(directory.FullName, PolicyGroups.TemplateFile);
            await File.WriteAllTextAsync(path, template, cancellationToken);
            var start = new ProcessStartInfo(addconn) { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var argument in new[] { "--config", path, "--checkconfig" }) start.ArgumentList.Add(argument);
            using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not run {addconn}");
            var output = await process.StandardOutput.ReadToEndAsync(cancellationToken) + await process.StandardError.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken);
            return Errors(output.Replace(path, fileLabel, StringComparison.Ordinal), process.ExitCode, fileLabel);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    /// <summary>
    /// libreswan's messages as errors with file and line ("FILE:59: syntax error [x]", "ERROR: FILE: 60:
    /// keyword …"); any other output counts too, whatever the exit code: 5.x drops a bad value with a
    /// warning and exits 0, and both versions exit 0 on an also= naming no conn.
    /// </summary>
    public static IReadOnlyList<PolicyError> Errors(string output, int exitCode, string fileLabel)
    {
        var errors = new List<PolicyError>();
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var match = Located().Match(line);
            if (match.Success && match.Groups["file"].Value == fileLabel)
                errors.Add(new PolicyError(fileLabel, int.Parse(match.Groups["line"].Value, System.Globalization.CultureInfo.InvariantCulture), "libreswan: " + match.Groups["message"].Value.Trim()));
        }
        // A valid file prints nothing; libreswan 5.x warns and exits 0 on a bad value, both versions on a dangling also=.
        if (errors.Count == 0 && (exitCode != 0 || output.Trim().Length > 0))
            errors.Add(new PolicyError(fileLabel, 0, $"libreswan's parser refused the template (exit {exitCode}): {output.Trim()}"));
        return errors;
    }

    [GeneratedRegex(@"(?<file>[^\s':]+):\s*(?<line>\d+):\s*(?<message>.+)$")]
    private static partial Regex Located();
}
