using System.Text;

namespace IpsecMesh.HostAgent.Tests.Support;

/// <summary>
/// The agent's source in the repository: controller/HostAgent/Script with its modules listed in
/// agent.modules; their plain concatenation (what agent.sh runs by sourcing them), and the
/// minified script the build and build-agent.sh make of them, written again here so that a test
/// notices when either of those drifts.
/// </summary>
internal static class AgentModules
{
    public static string ScriptDirectory { get; } = Path.Combine(Policy.PolicyFiles.RepositoryRoot(), "controller", "HostAgent", "Script");

    public static string EntryPoint => Path.Combine(ScriptDirectory, "agent.sh");

    public static string BuildScript => Path.Combine(ScriptDirectory, "build-agent.sh");

    /// <summary>The module paths of agent.modules, in order (blank and # lines are not modules).</summary>
    public static IReadOnlyList<string> List(string? directory = null) =>
        [.. Lines(File.ReadAllText(Path.Combine(directory ?? ScriptDirectory, "agent.modules"))).Where(line => line.Length > 0 && !line.StartsWith('#'))];

    /// <summary>The module files under modules/ and verbs/, as paths relative to the script directory.</summary>
    public static IReadOnlyList<string> Files() =>
        [.. new[] { "modules", "verbs" }
            .SelectMany(directory => Directory.EnumerateFiles(Path.Combine(ScriptDirectory, directory), "*.sh", SearchOption.AllDirectories))
            .Select(file => Path.GetRelativePath(ScriptDirectory, file).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)];

    /// <summary>Every module whole, in order, after a header naming them, then the call of main: the agent as its modules read.</summary>
    public static string Concatenate(string? directory = null)
    {
        directory ??= ScriptDirectory;
        var modules = List(directory);
        var script = new StringBuilder("#!/usr/bin/env bash\n")
            .Append("# ipsec-mesh host agent, protocol 1, the modules of agent.modules concatenated.\n");
        foreach (var module in modules)
        {
            script.Append("\n# --- ").Append(module).Append('\n');
            foreach (var line in Lines(File.ReadAllText(Path.Combine(directory, module)))) script.Append(line).Append('\n');
        }
        return script.Append("\nmain \"$@\"\n").ToString();
    }

    /// <summary>
    /// The script the build makes (IpsecMesh.HostAgent.csproj, build-agent.sh): each module's lines
    /// without leading indentation, comment-only and blank lines dropped, a continuation line keeping
    /// one space and never dropped, lines between <c># minify: off</c> and <c># minify: on</c> kept.
    /// </summary>
    public static string Build(string? directory = null)
    {
        directory ??= ScriptDirectory;
        var script = new StringBuilder("#!/usr/bin/env bash\n")
            .Append("# ipsec-mesh host agent, protocol 1 (docs/host-agent-protocol.md), built from controller/HostAgent/Script/agent.modules without comments and indentation.\n");
        foreach (var module in List(directory))
        {
            script.Append("# --- ").Append(module).Append('\n');
            bool verbatim = false, continued = false;
            foreach (var line in Lines(File.ReadAllText(Path.Combine(directory, module))))
            {
                var trimmed = line.TrimStart(' ', '\t');
                if (verbatim)
                {
                    if (trimmed == "# minify: on") verbatim = false;
                    else script.Append(line).Append('\n');
                    continue;
                }
                if (continued)
                {
                    if (trimmed.Length != line.Length) trimmed = " " + trimmed;
                }
                else if (trimmed == "# minify: off")
                {
                    verbatim = true;
                    continue;
                }
                else if (trimmed.Length == 0 || trimmed[0] == '#')
                {
                    continue;
                }
                script.Append(trimmed).Append('\n');
                continued = trimmed.EndsWith('\\');
            }
        }
        return script.Append("main \"$@\"\n").ToString();
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
