using IpsecMesh.HostAgent.Tests.Support;

namespace IpsecMesh.HostAgent.Tests.Script;

/// <summary>
/// The agent is written as modules (controller/HostAgent/Script, in the order of agent.modules)
/// and sent as one script: the MSBuild build embedded in IpsecMesh.HostAgent (the modules without
/// comments and indentation, so that the SSM document stays under 64 KB), which build-agent.sh
/// makes too, and which agent.sh runs by sourcing the same modules.
/// </summary>
public class AgentBuildTests
{
    [Fact]
    public void The_embedded_script_is_the_modules_of_agent_modules_built()
    {
        AgentModules.AssertSameText(AgentModules.Build(), AgentScript.Content, "the embedded script (MSBuild) against agent.modules");
    }

    [Fact]
    public async Task The_built_script_defines_exactly_what_the_modules_define()
    {
        var modules = await BashDefinitions.OfAsync(AgentModules.Concatenate());
        var built = await BashDefinitions.OfAsync(AgentScript.Content);

        Assert.Contains("verb_install ()", modules, StringComparison.Ordinal);
        AgentModules.AssertSameText(modules, built, "what bash reads from the built script against the modules");
    }

    [Fact]
    public async Task Indentation_inside_a_multi_line_string_is_kept_only_between_the_minify_markers()
    {
        var copy = Directory.CreateTempSubdirectory("ipsec-mesh-agent-build-");
        try
        {
            CopyScriptDirectory(copy.FullName);
            var module = Path.Combine(copy.FullName, "modules", "util.sh");
            File.AppendAllText(module, "indented_text() {\n  printf '%s' 'first\n    # not a comment: inside the string\n    second'\n}\n");
            Assert.NotEqual(await BashDefinitions.OfAsync(AgentModules.Concatenate(copy.FullName)), await BashDefinitions.OfAsync(await BuildWithScriptAsync(copy.FullName)));

            File.WriteAllText(module, File.ReadAllText(module).Replace("indented_text() {\n", "# minify: off\nindented_text() {\n", StringComparison.Ordinal) + "# minify: on\n");
            var built = await BuildWithScriptAsync(copy.FullName);
            AgentModules.AssertSameText(await BashDefinitions.OfAsync(AgentModules.Concatenate(copy.FullName)), await BashDefinitions.OfAsync(built), "with the markers");
            AgentModules.AssertSameText(AgentModules.Build(copy.FullName), built, "build-agent.sh against the reference build, with the markers");
        }
        finally
        {
            copy.Delete(recursive: true);
        }
    }

    [Fact]
    public void The_built_script_drops_every_comment_and_indentation_but_keeps_the_module_markers()
    {
        var lines = AgentScript.Content.Split('\n')[2..^1];

        // Indentation is left (as one space) only on a line continuing the one before.
        Assert.All(Enumerable.Range(1, lines.Length - 1).Where(i => lines[i].StartsWith(' ') || lines[i].StartsWith('\t')),
            i => Assert.EndsWith("\\", lines[i - 1], StringComparison.Ordinal));
        Assert.Equal(AgentModules.List(), lines.Where(line => line.StartsWith('#')).Select(line => line["# --- ".Length..]));
        Assert.DoesNotContain("", lines);
        Assert.Equal("main \"$@\"", lines[^1]);
    }

    [Fact]
    public async Task Build_agent_sh_writes_the_embedded_script()
    {
        AgentModules.AssertSameText(AgentScript.Content, await BuildWithScriptAsync(AgentModules.ScriptDirectory), "build-agent.sh against the embedded script (MSBuild)");
    }

    private static async Task<string> BuildWithScriptAsync(string scriptDirectory)
    {
        var output = Path.GetTempFileName();
        try
        {
            var result = await ProcessRunner.RunAsync("bash", [Path.Combine(scriptDirectory, "build-agent.sh"), output], cancellationToken: TestContext.Current.CancellationToken);
            Assert.True(result.ExitCode == 0, result.ToString());
            return File.ReadAllText(output);
        }
        finally
        {
            File.Delete(output);
        }
    }

    private static void CopyScriptDirectory(string target)
    {
        foreach (var directory in Directory.EnumerateDirectories(AgentModules.ScriptDirectory, "*", SearchOption.AllDirectories))
            Directory.CreateDirectory(Path.Combine(target, Path.GetRelativePath(AgentModules.ScriptDirectory, directory)));
        foreach (var file in Directory.EnumerateFiles(AgentModules.ScriptDirectory, "*", SearchOption.AllDirectories))
            File.Copy(file, Path.Combine(target, Path.GetRelativePath(AgentModules.ScriptDirectory, file)));
    }

    [Fact]
    public void Agent_sh_sources_the_modules_of_agent_modules_in_order_each_with_its_shellcheck_directive()
    {
        var lines = File.ReadAllLines(AgentModules.EntryPoint);
        const string Source = "source \"${agent_dir}/";
        const string Directive = "# shellcheck source=";

        var sourced = lines.Where(l => l.StartsWith(Source, StringComparison.Ordinal)).Select(l => l[Source.Length..].TrimEnd('"')).ToList();
        var directives = lines.Where(l => l.StartsWith(Directive, StringComparison.Ordinal)).Select(l => l[Directive.Length..]).ToList();

        Assert.Equal(AgentModules.List(), sourced);
        Assert.Equal(AgentModules.List(), directives);
        Assert.Equal("main \"$@\"", lines[^1]);
    }

    [Fact]
    public void Every_module_file_is_in_agent_modules_exactly_once()
    {
        var listed = AgentModules.List();

        Assert.Equal(listed.Count, listed.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(AgentModules.Files(), listed.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Every_module_says_what_it_holds_and_is_marked_as_bash()
    {
        foreach (var module in AgentModules.List())
        {
            var lines = File.ReadAllLines(Path.Combine(AgentModules.ScriptDirectory, module));
            Assert.True(lines.Length > 2 && lines[0].StartsWith("# ", StringComparison.Ordinal) && lines[1] == "# shellcheck shell=bash",
                $"{module} must start with a one-line comment saying what it holds, then '# shellcheck shell=bash'");
        }
    }

    [Theory]
    [InlineData("protocol 1\nverb status\n")]
    [InlineData("protocol 1\nverb status\nverb status\n")]
    [InlineData("protocol 1\nverb reboot\n")]
    [InlineData("protocol 1\nverb csr\nparam keyType dsa\n")]
    [InlineData("protocol 1\nverb install-cert\n")]
    [InlineData("protocol 1\nverb apply-config\nparam configHash abc\n")]
    public async Task Running_agent_sh_answers_like_the_embedded_script(string request)
    {
        Prerequisites.Require("flock");
        using var sandbox = new AgentSandbox();

        var embedded = await sandbox.RunAsync(request);
        var modules = await ProcessRunner.RunAsync("bash", [AgentModules.EntryPoint], request, sandbox.Environment, TestContext.Current.CancellationToken);

        Assert.Equal((embedded.ExitCode, embedded.Stdout), (modules.ExitCode, modules.Stdout));
    }
}
