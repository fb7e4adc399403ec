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
    public async Task The_agent_modules_are_shellcheck_clean_at_style_level_as_agent_sh_sources_them()
    {
        Prerequisites.Require("shellcheck");

        var result = await ShellcheckEntryPointAsync(AgentModules.EntryPoint);

        Assert.True(result.ExitCode == 0, result.ToString());
    }

    [Fact]
    public async Task A_finding_in_a_module_fails_the_check_and_names_the_module_file_and_line()
    {
        Prerequisites.Require("shellcheck");
        var copy = Directory.CreateTempSubdirectory("ipsec-mesh-agent-modules-");
        try
        {
            CopyDirectory(AgentModules.ScriptDirectory, copy.FullName);
            var module = Path.Combine(copy.FullName, "modules", "crl.sh");
            var lines = File.ReadAllLines(module).Length;
            File.AppendAllText(module, "echo $undefined_in_a_module\n");

            var result = await ShellcheckEntryPointAsync(Path.Combine(copy.FullName, "agent.sh"));

            Assert.NotEqual(0, result.ExitCode);
            Assert.Contains($"modules/crl.sh line {lines + 1}:", result.Stdout, StringComparison.Ordinal);
        }
        finally
        {
            copy.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task The_documents_script_as_SSM_runs_it_and_the_stand_in_around_it_are_shellcheck_clean()
    {
        Prerequisites.Require("shellcheck");
        var run = AgentDocumentRun.For(Requests.Config(HostAgent.Protocol.AgentVerbs.ApplyConfig));
        var directory = Directory.CreateTempSubdirectory("ipsec-mesh-document-script-");
        try
        {
            var script = Path.Combine(directory.FullName, "_script.sh");
            var standIn = Path.Combine(directory.FullName, "stand-in.sh");
            File.WriteAllText(script, run.Script);
            File.WriteAllText(standIn, run.StandInScript());

            var result = await ProcessRunner.RunAsync("shellcheck", ["-S", "style", "-s", "bash", script, standIn], cancellationToken: TestContext.Current.CancellationToken);

            Assert.True(result.ExitCode == 0, result.ToString());
            Assert.Matches("^main '[A-Za-z0-9+/]+={0,2}'$", run.RunCommand[^1]);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public void The_script_never_refers_to_a_document_parameter()
    {
        // SSM would replace {{ name }} in the document's script; only the last line, which the document writes, may.
        Assert.DoesNotContain("{{", AgentScript.Content, StringComparison.Ordinal);
        Assert.EndsWith("\nmain \"$@\"\n", AgentScript.Content, StringComparison.Ordinal);
    }

    // -x follows agent.sh's source lines (found through its source-path=SCRIPTDIR directive); -a
    // reports the findings in the sourced modules too, each under its module file and line.
    private static Task<ProcessResult> ShellcheckEntryPointAsync(string entryPoint) =>
        ProcessRunner.RunAsync("shellcheck", ["-x", "-a", "-S", "style", "-s", "bash", entryPoint],
            cancellationToken: TestContext.Current.CancellationToken);

    private static void CopyDirectory(string source, string target)
    {
        foreach (var directory in Directory.EnumerateDirectories(source, "*", SearchOption.AllDirectories))
            Directory.CreateDirectory(Path.Combine(target, Path.GetRelativePath(source, directory)));
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
            File.Copy(file, Path.Combine(target, Path.GetRelativePath(source, file)));
    }
}
