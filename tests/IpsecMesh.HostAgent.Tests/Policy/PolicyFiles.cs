using IpsecMesh.HostAgent.Policy;

namespace IpsecMesh.HostAgent.Tests.Policy;

/// <summary>A valid policy as file name → text, for tests to vary one file at a time.</summary>
internal static class PolicyFiles
{
    public static string Template { get; } = File.ReadAllText(Path.Combine(RepositoryRoot(), "config", "policy", PolicyGroups.TemplateFile));

    public static Dictionary<string, string> Valid() => new(StringComparer.Ordinal)
    {
        [PolicyGroups.TemplateFile] = Template,
        [PolicyGroups.Private] = "# encrypted or nothing\n10.1.0.0/16\n",
        [PolicyGroups.PrivateOrClear] = "172.31.0.0/16\n",
        [PolicyGroups.Clear] = "172.31.0.2/32 # resolver\n",
        [PolicyGroups.ClearOrPrivate] = "",
        [PolicyGroups.Block] = "192.0.2.0/24\n",
    };

    public static Dictionary<string, string> With(string file, string text)
    {
        var files = Valid();
        files[file] = text;
        return files;
    }

    public static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "ipsec-mesh.slnx"))) directory = directory.Parent;
        return directory?.FullName ?? throw new InvalidOperationException("not inside the repository");
    }
}
