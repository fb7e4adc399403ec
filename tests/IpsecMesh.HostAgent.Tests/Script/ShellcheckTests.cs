using IpsecMesh.HostAgent.Tests.Support;

namespace IpsecMesh.HostAgent.Tests.Script;

public class ShellcheckTests
{
    [Fact]
    public async Task The_embedded_agent_script_is_shellcheck_clean_at_style_level()
    {
        Prerequisites.Require("shellcheck");
        using var sandbox = new AgentSandbox();

        var result = await ProcessRunner.RunAsync("shellcheck", ["-S", "style", "-s", "bash", sandbox.ScriptPath],
            cancellationToken: TestContext.Current.CancellationToken);

        Assert.True(result.ExitCode == 0, result.ToString());
    }

    [Fact]
    public void The_embedded_script_is_the_repository_file()
    {
        var onDisk = File.ReadAllText(Path.Combine(Policy.PolicyFiles.RepositoryRoot(), "controller", "HostAgent", "Script", "ipsec-mesh-agent.sh"));

        Assert.Equal(onDisk, AgentScript.Content);
    }

    [Fact]
    public void The_script_never_contains_the_command_heredoc_terminators()
    {
        var lines = AgentScript.Content.Split('\n');

        Assert.DoesNotContain(HostAgent.Protocol.AgentCommand.ScriptTerminator, lines);
        Assert.DoesNotContain(HostAgent.Protocol.AgentCommand.RequestTerminator, lines);
    }
}
