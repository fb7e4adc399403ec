namespace IpsecMesh.HostAgent.Tests.Support;

/// <summary>
/// Tools the script tests need. tests/prerequisites.sh installs them; in CI (CI=true) a missing
/// tool fails the test, elsewhere it skips with the reason.
/// </summary>
internal static class Prerequisites
{
    private static readonly string[] ExtraDirectories = ["/usr/sbin", "/sbin", "/usr/libexec/ipsec"];

    public static bool InCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public static string? Find(string tool)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        return path.Split(':', StringSplitOptions.RemoveEmptyEntries).Concat(ExtraDirectories)
            .Select(directory => Path.Combine(directory, tool))
            .FirstOrDefault(File.Exists);
    }

    public static void Require(params string[] tools)
    {
        var missing = tools.Where(t => Find(t) is null).ToArray();
        if (missing.Length == 0) return;
        var reason = $"missing {string.Join(", ", missing)}: run tests/prerequisites.sh (apt-get install -y shellcheck libnss3-tools libreswan openssl)";
        if (InCi) Assert.Fail(reason);
        Assert.Skip(reason);
    }

    /// <summary>Network and mount namespaces need root; the real-pluto tests run only there.</summary>
    public static void RequireRoot()
    {
        if (Environment.UserName == "root") return;
        Assert.Skip("needs root to create network and mount namespaces for a real pluto");
    }
}
