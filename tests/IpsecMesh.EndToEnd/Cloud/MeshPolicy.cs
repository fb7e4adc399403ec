namespace IpsecMesh.EndToEnd.Cloud;

/// <summary>
/// The mesh policy files as the controller reads them from S3 <c>config/</c> (the names of
/// config/policy/): one CIDR per line per policy group, plus the conn template.
/// </summary>
public sealed record MeshPolicy(IReadOnlyDictionary<string, string> Files)
{
    public static readonly string[] Groups = ["private", "clear", "private-or-clear", "clear-or-private", "block"];

    /// <summary>The repository's policy directory with the group files replaced by <paramref name="groups"/>.</summary>
    public static MeshPolicy FromRepository(string policyDirectory, IReadOnlyDictionary<string, IReadOnlyList<string>> groups, Func<string, string> adaptTemplate)
    {
        var files = Directory.GetFiles(policyDirectory)
            .ToDictionary(path => Path.GetFileName(path), path => File.ReadAllText(path), StringComparer.Ordinal);
        foreach (var group in Groups)
            files[group] = Render(group, groups.TryGetValue(group, out var cidrs) ? cidrs : []);
        foreach (var name in files.Keys.Where(name => !Groups.Contains(name)).ToList())
            files[name] = adaptTemplate(files[name]);
        return new MeshPolicy(files);
    }

    public IReadOnlyList<string> Cidrs(string group) =>
        Files.TryGetValue(group, out var text)
            ? text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToArray()
            : [];

    /// <summary>The same policy with one CIDR moved from one group to another.</summary>
    public MeshPolicy Move(string cidr, string fromGroup, string toGroup)
    {
        var files = new Dictionary<string, string>(Files, StringComparer.Ordinal)
        {
            [fromGroup] = Render(fromGroup, Cidrs(fromGroup).Where(c => c != cidr).ToArray()),
            [toGroup] = Render(toGroup, [.. Cidrs(toGroup), cidr]),
        };
        return new MeshPolicy(files);
    }

    /// <summary>The same policy with the conn template changed.</summary>
    public MeshPolicy WithTemplate(Func<string, string> change) => new(new Dictionary<string, string>(Files, StringComparer.Ordinal)
    {
        ["ipsec-mesh.conf"] = change(Files["ipsec-mesh.conf"]),
    });

    private static string Render(string group, IReadOnlyList<string> cidrs) =>
        $"# {group}: written by the end-to-end suite\n" + string.Concat(cidrs.Select(c => c + "\n"));
}
