using System.Diagnostics;

namespace IpsecMesh.Pki.Tests.Support;

/// <summary>Runs the real openssl / NSS command-line tools; a test skips when one is not installed.</summary>
public static class Tools
{
    public static ToolResult Run(string tool, params string[] arguments)
    {
        RequireInstalled(tool);
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {tool}");
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return new ToolResult(process.ExitCode, output.Result, error);
    }

    /// <summary>openssl's <c>-attime</c> for the fake clock, so validity is judged at the test's "now".</summary>
    public static string Epoch(TimeProvider time) => time.GetUtcNow().ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static void RequireInstalled(string tool)
    {
        var found = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Any(directory => File.Exists(Path.Combine(directory, tool)));
        if (!found)
        {
            Assert.Skip($"{tool} is not installed (tests/prerequisites.sh installs it)");
        }
    }
}
