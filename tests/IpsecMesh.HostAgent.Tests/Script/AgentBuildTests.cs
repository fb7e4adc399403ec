using IpsecMesh.HostAgent.Tests.Support;

namespace IpsecMesh.HostAgent.Tests.Script;

/// <summary>
/// The agent is written as modules (controller/HostAgent/Script, in the order of agent.modules)
/// and sent as one script: the MSBuild concatenation embedded in IpsecMesh.HostAgent, which
/// build-agent.sh makes too, and which agent.sh runs by sourcing the same modules.
/// </summary>
public class AgentBuildTests
{
    [Fact]
    public void The_embedded_script_is_the_modules_of_agent_modules_concatenated()
    {
        AgentModules.AssertSameText(AgentModules.Concatenate(), AgentScript.Content, "the embedded script (MSBuild) against agent.modules");
    }

    [Fact]
    public async Task Build_agent_sh_writes_the_embedded_script()
    {
        using var sandbox = new AgentSandbox();
        var output = Path.Combine(sandbox.Root, "built-agent.sh");

        var result = await ProcessRunner.RunAsync("bash", [AgentModules.BuildScript, output], cancellationToken: TestContext.Current.CancellationToken);

        Assert.True(result.ExitCode == 0, result.ToString());
        AgentModules.AssertSameText(AgentScript.Content, File.ReadAllText(output), "build-agent.sh against the embedded script (MSBuild)");
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
