using System.Text;

namespace IpsecMesh.HostAgent.Tests.Support;

/// <summary>
/// The agent's source in the repository: controller/HostAgent/Script with its modules listed in
/// agent.modules, and the concatenation the build and build-agent.sh make of them, written again
/// here so that a test notices when either of those drifts.
/// </summary>
internal static class AgentModules
{
    public static string ScriptDirectory { get; } = Path.Combine(Policy.PolicyFiles.RepositoryRoot(), "controller", "HostAgent", "Script");

    public static string EntryPoint => Path.Combine(ScriptDirectory, "agent.sh");

    public static string BuildScript => Path.Combine(ScriptDirectory, "build-agent.sh");

    /// <summary>The module paths of agent.modules, in order (blank and # lines are not modules).</summary>
    public static IReadOnlyList<string> List() =>
        [.. Lines(File.ReadAllText(Path.Combine(ScriptDirectory, "agent.modules"))).Where(line => line.Length > 0 && !line.StartsWith('#'))];

    /// <summary>The module files under modules/ and verbs/, as paths relative to the script directory.</summary>
    public static IReadOnlyList<string> Files() =>
        [.. new[] { "modules", "verbs" }
            .SelectMany(directory => Directory.EnumerateFiles(Path.Combine(ScriptDirectory, directory), "*.sh", SearchOption.AllDirectories))
            .Select(file => Path.GetRelativePath(ScriptDirectory, file).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)];

    public static string Concatenate()
    {
        var modules = List();
        var script = new StringBuilder("#!/usr/bin/env bash\n")
            .Append("# ipsec-mesh host agent, protocol 1 (docs/host-agent-protocol.md).\n")
            .Append("# Generated from controller/HostAgent/Script/agent.modules: edit the modules, not this file.\n");
        foreach (var module in modules) script.Append("#   ").Append(module).Append('\n');
        foreach (var module in modules)
        {
            script.Append("\n# --- ").Append(module).Append('\n');
            foreach (var line in Lines(File.ReadAllText(Path.Combine(ScriptDirectory, module)))) script.Append(line).Append('\n');
        }
        return script.Append("\nmain \"$@\"\n").ToString();
    }

    /// <summary>The lines a bash `read -r` loop sees: split on LF, one trailing CR dropped, no empty last line.</summary>
    public static IEnumerable<string> Lines(string text)
    {
        var lines = text.Split('\n');
        var count = lines[^1].Length == 0 ? lines.Length - 1 : lines.Length;
        return lines.Take(count).Select(line => line.EndsWith('\r') ? line[..^1] : line);
    }

    /// <summary>Equal texts, or a failure naming the first line that differs (a whole-script diff is unreadable).</summary>
    public static void AssertSameText(string expected, string actual, string what)
    {
        if (expected == actual) return;
        var left = expected.Split('\n');
        var right = actual.Split('\n');
        var line = 0;
        while (line < left.Length && line < right.Length && left[line] == right[line]) line++;
        Assert.Fail($"{what}: first difference at line {line + 1}\nexpected: {(line < left.Length ? left[line] : "<end>")}\nactual:   {(line < right.Length ? right[line] : "<end>")}");
    }
}
